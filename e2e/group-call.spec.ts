import type { MediaClient } from '@medley/media-client';
import { SignalingClient } from '@medley/signaling';
import type { BrowserContext, Page } from '@playwright/test';
import { expectVideoPlaying } from './support/media.js';
import { expectMediaObjects } from './support/mediaGraph.js';
import { connectToDemoMediaServer } from './support/mediaServer.js';
import { expectReceiving, receivedFrom } from './support/remoteMedia.js';
import { expectLiveStats } from './support/statsPanel.js';
import { expect, test } from './support/test.js';

/** SESSION_GRACE_MS given to the app server by playwright.config.ts. */
const sessionGraceMs = 3_000;
const room = `e2e-${Date.now()}`;
/** The smallest picture that still proves decoding, to spare the two CPU cores. */
const pageUrl = (name: string) => `/group-call/?room=${room}&name=${name}&video=320x240@15`;
const remoteTiles = '#grid figure[data-participant]';

let media: MediaClient;
test.beforeAll(async ({ request }) => {
  media = await connectToDemoMediaServer(request);
});
test.afterAll(() => media.close());

async function join(page: Page): Promise<void> {
  await page.click('#join');
  await expect(page.locator('#state')).toHaveText(`in room "${room}"`, { timeout: 15_000 });
}

/** The names on the page's remote tiles, by participant id. */
async function remoteNames(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() =>
    Object.fromEntries([...window.groupCall.remotes].map(([id, remote]) => [id, remote.name])),
  );
}

async function expectReceivingEveryone(page: Page): Promise<void> {
  for (const id of Object.keys(await remoteNames(page))) {
    await expectReceiving(page, id);
    await expectVideoPlaying(page, `${remoteTiles}[data-participant="${id}"] video`);
  }
}

test.describe('three participants in one room', () => {
  test.describe.configure({ mode: 'serial' });
  let context: BrowserContext;
  let alice: Page;
  let bob: Page;
  let carol: Page;

  test.beforeAll(async ({ browser }) => {
    await expectMediaObjects(media, {});
    context = await browser.newContext();
    const open = async (name: string) => {
      const page = await context.newPage();
      await page.goto(pageUrl(name));
      return page;
    };
    [alice, bob, carol] = [await open('Alice'), await open('Bob'), await open('Carol')];
  });
  test.afterAll(() => context.close());

  test('each participant sees and hears the other two, named in the grid', async () => {
    for (const page of [alice, bob, carol]) await join(page);
    for (const page of [alice, bob, carol]) await expect(page.locator(remoteTiles)).toHaveCount(2);
    expect(Object.values(await remoteNames(alice)).sort()).toEqual(['Bob', 'Carol']);
    expect(Object.values(await remoteNames(bob)).sort()).toEqual(['Alice', 'Carol']);
    expect(Object.values(await remoteNames(carol)).sort()).toEqual(['Alice', 'Bob']);
    for (const page of [alice, bob, carol]) await expectReceivingEveryone(page);
    // Each publishes once (3 endpoints), and receives each other one on its own (3 × 2).
    await expectMediaObjects(media, { pipelines: 1, webRtcEndpoints: 9 });
    // Stats under each tile: what Alice sends, and what she receives from each of the others.
    await expectLiveStats(alice.locator('#localStats'), ['bitrateOut']);
    for (const tile of await alice.locator(remoteTiles).all()) {
      await expectLiveStats(tile.locator('.stats'), ['bitrateIn']);
      await expect(tile.locator('.tileState')).toHaveText('connected');
    }
    await expect(alice.locator('#connection [data-link="media"]')).toHaveText(
      'Your camera: connected',
    );
  });

  test('a participant who leaves drops out of every grid and takes all their endpoints', async () => {
    await carol.click('#leave');
    await expect(carol.locator('#state')).toHaveText('left');
    await expect(carol.locator(remoteTiles)).toHaveCount(0);
    for (const page of [alice, bob]) await expect(page.locator(remoteTiles)).toHaveCount(1);
    await expectMediaObjects(media, { pipelines: 1, webRtcEndpoints: 4 });

    const [bobId] = Object.keys(await remoteNames(alice));
    const before = await receivedFrom(alice, bobId as string);
    await expect
      .poll(async () => (await receivedFrom(alice, bobId as string)).framesDecoded)
      .toBeGreaterThan(before.framesDecoded + 10);
  });

  test('a participant who joins again shows up in the grids and sees the others', async () => {
    await join(carol);
    for (const page of [alice, bob, carol]) await expect(page.locator(remoteTiles)).toHaveCount(2);
    await expectReceivingEveryone(carol);
    await expectMediaObjects(media, { pipelines: 1, webRtcEndpoints: 9 });
  });

  test('a participant whose page closes is gone once the grace period is over', async () => {
    await bob.close();
    await carol.close();
    await expect(alice.locator(remoteTiles)).toHaveCount(0, { timeout: sessionGraceMs + 10_000 });
    await expectMediaObjects(media, { pipelines: 1, webRtcEndpoints: 1 });
    await alice.click('#leave');
    await expectMediaObjects(media, {});
  });
});

test('says in words when the camera is denied, and never enters the room', async ({ page }) => {
  await page.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () =>
      Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  await page.goto(pageUrl('Dave'));
  await page.click('#join');
  await expect(page.locator('#error')).toContainText('Camera or microphone access was denied');
  await expect(page.locator('#state')).toHaveText('failed');
  await expectMediaObjects(media, {});
});

test('answers bad sequences and garbage with clear errors and leaves the server clean', async ({
  baseURL,
}) => {
  const mallory = await SignalingClient.connect(`${baseURL}/group-call`);
  const trent = await SignalingClient.connect(`${baseURL}/group-call`);
  try {
    const outcome = (promise: Promise<unknown>) =>
      promise.then(
        () => 'resolved',
        (error: { code: string; message: string }) => `${error.code}: ${error.message}`,
      );
    const offer = (peerId: string, sdp = 'v=0') =>
      outcome(mallory.request('peer:offer', { peerId, epoch: 1, sdp }));

    expect(await mallory.request('group.leave', {})).toBeUndefined();
    expect(await offer('publish')).toBe('REJECTED: Join a room first.');
    expect(await outcome(mallory.request('group.join', { room: '  ', name: 'Mallory' }))).toBe(
      'REJECTED: The room must have 1 to 64 characters.',
    );
    expect(
      await outcome(mallory.request('group.join', { room: 42, name: 'Mallory' } as never)),
    ).toMatch(/^INVALID_PAYLOAD: invalid payload for "group.join": room: expected a string/);

    const { participantId, participants } = (await mallory.request('group.join', {
      room: 'bad-sequences',
      name: 'Mallory',
    })) as { participantId: string; participants: unknown[] };
    expect(participants).toEqual([]);
    await expectMediaObjects(media, { pipelines: 1 });
    expect(await outcome(mallory.request('group.join', { room: 'other', name: 'M' }))).toBe(
      'REJECTED: This page is in room "bad-sequences" already: leave it first.',
    );
    expect(await offer('subscribe:nobody')).toBe(
      'REJECTED: No participant "nobody" publishes in room "bad-sequences" (any more).',
    );
    expect(await offer(`subscribe:${participantId}`)).toBe(
      'REJECTED: Your own camera is in your preview already.',
    );
    expect(await offer('watch')).toMatch(/^REJECTED: Unknown peerId "watch"/);
    expect(await offer('publish', 'not an SDP')).toMatch(/^REJECTED: /);
    expect(
      await outcome(mallory.request('peer:answer', { peerId: 'publish', epoch: 1, sdp: 'v=0' })),
    ).toMatch(/^REJECTED: The group-call demo never sends offers/);
    mallory.socket.emit('medley:request', { room: 'x' });
    mallory.socket.emit('medley:request', 'group.join', 'not an object', 'not an ack');
    // The failed publish left no endpoint behind; the room stays while someone is in it.
    await expectMediaObjects(media, { pipelines: 1 });

    await trent.request('group.join', { room: 'bad-sequences', name: 'Trent' });
    expect(await mallory.request('group.leave', {})).toBeUndefined();
    expect(await mallory.request('group.leave', {})).toBeUndefined();
    await expectMediaObjects(media, { pipelines: 1 });
    trent.close();
    await expectMediaObjects(media, {});
  } finally {
    mallory.close();
    trent.close();
  }
});

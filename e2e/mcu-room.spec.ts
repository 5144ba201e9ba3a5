import type { MediaClient } from '@medley/media-client';
import { SignalingClient } from '@medley/signaling';
import type { APIRequestContext, Browser, Page } from '@playwright/test';
import {
  parsePrometheusText,
  sampleValue,
} from '../packages/media-server/test/support/prometheusText.js';
import { demoMetricsUrl } from './support/demoMetrics.js';
import { framesDecoded } from './support/media.js';
import { elementCounts, expectMediaObjects } from './support/mediaGraph.js';
import { connectToDemoMediaServer } from './support/mediaServer.js';
import { coloursAt, toneLevels, useSyntheticMedia } from './support/syntheticCamera.js';
import { expect, test } from './support/test.js';

/**
 * The mixed room: three pages whose cameras are flat colours and whose microphones are distinct
 * tones join one Composite. Each page must decode the grid (read off the pixels of the mix, cells
 * in joining order) and hear the others' tones but not its own; a page that leaves shrinks the
 * grid; once everyone left, the pipeline and the GStreamer mixer process are gone.
 */
const room = `mcu-e2e-${Date.now()}`;
const pageUrl = (name: string) => `/mcu-room/?room=${room}&name=${name}&video=320x240@15`;

const PEOPLE = {
  Alice: { colour: '#ff0000', toneHz: 440 },
  Bob: { colour: '#0000ff', toneHz: 1000 },
  Carol: { colour: '#00ff00', toneHz: 2200 },
} as const;
type Person = keyof typeof PEOPLE;

const REFERENCE_COLOURS = {
  red: [255, 0, 0],
  blue: [0, 0, 255],
  green: [0, 255, 0],
  black: [0, 0, 0],
} as const;
type ColourName = keyof typeof REFERENCE_COLOURS;
const colourOf: Record<Person, ColourName> = { Alice: 'red', Bob: 'blue', Carol: 'green' };

/** The middle of each cell of Kurento's grid: 2 side by side, 3 or 4 in 2x2. */
const CELL_CENTRES = {
  2: [
    [0.25, 0.5],
    [0.75, 0.5],
  ],
  4: [
    [0.25, 0.25],
    [0.75, 0.25],
    [0.25, 0.75],
    [0.75, 0.75],
  ],
} as const;

function nearestColour([r, g, b]: readonly number[]): ColourName {
  let best: ColourName = 'black';
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const [name, [R, G, B]] of Object.entries(REFERENCE_COLOURS) as [
    ColourName,
    readonly number[],
  ][]) {
    const distance =
      ((r ?? 0) - (R ?? 0)) ** 2 + ((g ?? 0) - (G ?? 0)) ** 2 + ((b ?? 0) - (B ?? 0)) ** 2;
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  return best;
}

/** Waits until the page's mix shows these colours, cell by cell in reading order. */
async function expectGrid(page: Page, cells: ColourName[]): Promise<void> {
  const centres = cells.length === 2 ? CELL_CENTRES[2] : CELL_CENTRES[4];
  await expect
    .poll(async () => (await coloursAt(page, '#mixVideo', centres)).map(nearestColour), {
      message: 'the cells of the mixed picture',
      timeout: 20_000,
    })
    .toEqual(cells);
}

/** Waits until the page hears every other person's tone, well above its own (which it must not hear). */
async function expectHearsOthers(page: Page, self: Person, others: Person[]): Promise<void> {
  const frequencies = [self, ...others].map((person) => PEOPLE[person].toneHz);
  await expect
    .poll(
      async () => {
        const [own = 0, ...theirs] = await toneLevels(page, '#mixVideo', frequencies);
        return Math.min(...theirs) - own;
      },
      {
        message: `${self} hears ${others.join(', ')} at least 20 dB above their own voice`,
        timeout: 20_000,
      },
    )
    .toBeGreaterThan(20);
}

async function processingStages(request: APIRequestContext): Promise<number> {
  const response = await request.get(demoMetricsUrl);
  return sampleValue(parsePrometheusText(await response.text()), 'medley_processing_stages');
}

const mixFrames = (page: Page) => framesDecoded(page, () => window.mcuRoom.peer?.peerConnection);

let media: MediaClient;
test.beforeAll(async ({ request }) => {
  media = await connectToDemoMediaServer(request);
});
test.afterAll(() => media.close());

test.describe('three participants in one mixed room', () => {
  test.describe.configure({ mode: 'serial' });
  const pages = {} as Record<Person, Page>;
  let closeAll: () => Promise<void>;

  test.beforeAll(async ({ browser }: { browser: Browser }) => {
    await expectMediaObjects(media, {});
    const context = await browser.newContext();
    closeAll = () => context.close();
    for (const person of Object.keys(PEOPLE) as Person[]) {
      const page = await context.newPage();
      await useSyntheticMedia(page, PEOPLE[person]);
      await page.goto(pageUrl(person));
      pages[person] = page;
    }
  });
  test.afterAll(() => closeAll());

  test('each decodes everyone in one grid, in joining order, and hears the others only', async ({
    request,
  }) => {
    // One at a time, so that the grid's order is the joining order.
    for (const person of Object.keys(PEOPLE) as Person[]) {
      await pages[person].click('#join');
      await expect(pages[person].locator('#state')).toHaveText(`in room "${room}"`, {
        timeout: 20_000,
      });
    }
    for (const person of Object.keys(PEOPLE) as Person[]) {
      await expectGrid(pages[person], ['red', 'blue', 'green', 'black']);
      await expectHearsOthers(
        pages[person],
        person,
        (Object.keys(PEOPLE) as Person[]).filter((other) => other !== person),
      );
      await expect(pages[person].locator('#participants li')).toHaveText([
        person === 'Alice' ? 'Alice (you)' : 'Alice',
        person === 'Bob' ? 'Bob (you)' : 'Bob',
        person === 'Carol' ? 'Carol (you)' : 'Carol',
      ]);
    }
    // One endpoint and one port per page, one Composite and one mixer process for the room.
    await expectMediaObjects(media, { pipelines: 1, webRtcEndpoints: 3 });
    const counts = await elementCounts(media);
    expect([counts.Composite, counts.HubPort]).toEqual([1, 3]);
    expect(await processingStages(request)).toBe(1);
    await expect(pages.Alice.locator('#stats [data-stat="bitrateIn"]')).toBeVisible();
  });

  test('a participant who leaves drops out of the grid while the others keep their picture', async () => {
    const before = await mixFrames(pages.Alice);
    await pages.Carol.click('#leave');
    await expect(pages.Carol.locator('#state')).toHaveText('left');
    await expect(pages.Carol.locator('#participants li')).toHaveCount(0);
    for (const person of ['Alice', 'Bob'] as const) {
      await expectGrid(pages[person], [colourOf.Alice, colourOf.Bob]);
      await expect(pages[person].locator('#participants li')).toHaveCount(2);
      await expectHearsOthers(pages[person], person, person === 'Alice' ? ['Bob'] : ['Alice']);
    }
    // Alice's stream was never renegotiated: the mix kept decoding through the change.
    expect(await mixFrames(pages.Alice)).toBeGreaterThan(before + 10);
    await expectMediaObjects(media, { pipelines: 1, webRtcEndpoints: 2 });
    expect((await elementCounts(media)).HubPort).toBe(2);
  });

  test('once everyone left, the pipeline and the mixer process are gone', async ({ request }) => {
    await pages.Alice.click('#leave');
    await pages.Bob.click('#leave');
    await expectMediaObjects(media, {});
    await expect.poll(() => processingStages(request), { timeout: 10_000 }).toBe(0);
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
  const mallory = await SignalingClient.connect(`${baseURL}/mcu-room`);
  try {
    const outcome = (promise: Promise<unknown>) =>
      promise.then(
        () => 'resolved',
        (error: { code: string; message: string }) => `${error.code}: ${error.message}`,
      );
    const offer = (peerId: string, sdp = 'v=0') =>
      outcome(mallory.request('peer:offer', { peerId, epoch: 1, sdp }));

    expect(await mallory.request('mcu.leave', {})).toBeUndefined();
    expect(await offer('mix')).toBe('REJECTED: Join a room first.');
    expect(await outcome(mallory.request('mcu.join', { room: 'x'.repeat(65), name: 'M' }))).toBe(
      'REJECTED: The room must have 1 to 64 characters.',
    );
    expect(
      await outcome(mallory.request('mcu.join', { room: 'bad', name: null } as never)),
    ).toMatch(/^INVALID_PAYLOAD: invalid payload for "mcu.join": name: expected a string/);
    await mallory.request('mcu.join', { room: 'mcu-bad-sequences', name: 'Mallory' });
    expect(await outcome(mallory.request('mcu.join', { room: 'other', name: 'M' }))).toBe(
      'REJECTED: This page is in room "mcu-bad-sequences" already: leave it first.',
    );
    expect(await offer('publish')).toMatch(/^REJECTED: Unknown peerId "publish"/);
    expect(await offer('mix', 'not an SDP')).toMatch(/^REJECTED: /);
    mallory.socket.emit('medley:request', 'mcu.join', 'not an object', 'not an ack');
    // The failed offer left no endpoint nor port behind; the room stays while someone is in it.
    await expectMediaObjects(media, { pipelines: 1 });
    expect((await elementCounts(media)).HubPort ?? 0).toBe(0);
    expect(await mallory.request('mcu.leave', {})).toBeUndefined();
    await expectMediaObjects(media, {});
  } finally {
    mallory.close();
  }
});

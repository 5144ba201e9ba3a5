import { connect, type MediaClient } from '@medley/media-client';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import {
  type ChildServer,
  startDemoAppServerProcess,
  startMediaServerProcess,
} from './support/childServer.js';
import { expect, test } from './support/test.js';

/**
 * The demo app server over two media servers (MEDIA_SERVER_URLS), each a CLI process: two group
 * calls go one to each server; when one server is killed, the people of its room are told and
 * rejoin on the other, while the other room's media never stops.
 */
test.describe.configure({ mode: 'serial' });

let servers: [ChildServer, ChildServer];
let app: ChildServer;
let clients: MediaClient[];
/** The rooms' pages: closed before the app server goes, or they would poll it in later tests. */
const contexts: BrowserContext[] = [];

test.beforeAll(async () => {
  servers = [await startMediaServerProcess(), await startMediaServerProcess()];
  app = await startDemoAppServerProcess({
    MEDIA_SERVER_URLS: servers.map((server) => server.url).join(','),
  });
  clients = await Promise.all(servers.map((server) => connect(server.url)));
});
test.afterAll(async () => {
  for (const context of contexts) await context.close();
  for (const client of clients ?? []) client.close();
  await app?.kill();
  for (const server of servers ?? []) await server.kill();
});

const pipelinesOn = async (client: MediaClient) =>
  (await client.serverManager.getPipelines()).length;

async function openRoom(browser: Browser, room: string, names: string[]): Promise<Page[]> {
  const context = await browser.newContext();
  contexts.push(context);
  const pages: Page[] = [];
  for (const name of names) {
    const page = await context.newPage();
    await page.goto(`${app.url}/group-call/?room=${room}&name=${name}&video=320x240@15`);
    await page.click('#join');
    await expect(page.locator('#state')).toHaveText(`in room "${room}"`, { timeout: 40_000 });
    pages.push(page);
  }
  for (const page of pages) {
    await expect(page.locator('#grid figure[data-participant]')).toHaveCount(names.length - 1);
  }
  return pages;
}

const receivedFrames = (page: Page) =>
  page.evaluate(async () => {
    let frames = 0;
    for (const remote of window.groupCall.remotes.values()) {
      const stats = await remote.peer?.peerConnection?.getStats();
      for (const stat of stats?.values() ?? []) {
        if (stat.type === 'inbound-rtp' && stat.kind === 'video') frames += stat.framesDecoded ?? 0;
      }
    }
    return frames;
  });

test('rooms go to both media servers; a room whose server dies is told and rejoins on the other', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const north = await openRoom(browser, 'north', ['Ann', 'Ben']);
  const northServer = (await pipelinesOn(clients[0] as MediaClient)) === 1 ? 0 : 1;
  const south = await openRoom(browser, 'south', ['Cat', 'Dan']);
  // One room on each server: the pool spreads new rooms over equally idle servers.
  await expect.poll(() => Promise.all(clients.map(pipelinesOn))).toEqual([1, 1]);

  const southBefore = await receivedFrames(south[0] as Page);
  await servers[northServer].kill();

  for (const page of north) {
    await expect(page.locator('#state')).toHaveText('ended', { timeout: 20_000 });
    await expect(page.locator('#error')).toContainText('The media server of this room went away');
  }
  // The other room goes on, on the other server.
  await expect.poll(() => receivedFrames(south[0] as Page)).toBeGreaterThan(southBefore + 30);
  for (const page of south) await expect(page.locator('#state')).toHaveText('in room "south"');

  // Joining again opens the room on the server that is up.
  for (const page of north) {
    await page.click('#join');
    await expect(page.locator('#state')).toHaveText('in room "north"', { timeout: 20_000 });
  }
  const [northPage] = north as [Page, Page];
  await expect(northPage.locator('#grid figure[data-participant]')).toHaveCount(1);
  await expect.poll(() => receivedFrames(northPage), { timeout: 20_000 }).toBeGreaterThan(10);
  await expect.poll(() => pipelinesOn(clients[1 - northServer] as MediaClient)).toBe(2);
});

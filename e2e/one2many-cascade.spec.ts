import { connect, type MediaClient } from '@medley/media-client';
import type { Browser, Page } from '@playwright/test';
import {
  type ChildServer,
  startDemoAppServerProcess,
  startMediaServerProcess,
} from './support/childServer.js';
import { expectFramesDecoded } from './support/media.js';
import { expect, test } from './support/test.js';

/**
 * A broadcast that outgrows its media server continues on another: the demo app server over two
 * media server processes (MEDIA_SERVER_URLS) takes one viewer per server
 * (ONE2MANY_VIEWERS_PER_SERVER=1), so the second viewer is served by an edge pipeline on the
 * other server, fed over a server-to-server link; a third finds both full.
 */
test.describe.configure({ mode: 'serial' });

let servers: [ChildServer, ChildServer];
let app: ChildServer;
let clients: MediaClient[];

test.beforeAll(async () => {
  servers = [await startMediaServerProcess(), await startMediaServerProcess()];
  app = await startDemoAppServerProcess({
    MEDIA_SERVER_URLS: servers.map((server) => server.url).join(','),
    ONE2MANY_VIEWERS_PER_SERVER: '1',
  });
  clients = await Promise.all(servers.map((server) => connect(server.url)));
});
test.afterAll(async () => {
  for (const client of clients ?? []) client.close();
  await app?.kill();
  for (const server of servers ?? []) await server.kill();
});

/** The number of WebRtcEndpoints in each pipeline on `client`'s server. */
async function endpointsPerPipeline(client: MediaClient): Promise<number[]> {
  const counts: number[] = [];
  for (const pipeline of await client.serverManager.getPipelines()) {
    const children = await pipeline.getChildren();
    counts.push(children.filter((child) => child.id.endsWith('_kurento.WebRtcEndpoint')).length);
  }
  return counts;
}

const viewerPeerConnection = () => window.one2many.peer?.peerConnection;

async function openOneToMany(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${app.url}/one2many/?video=320x240@15`);
  return page;
}

test('the second viewer is served from an edge on the other media server; the third is told both are full', async ({
  browser,
}) => {
  const presenter = await openOneToMany(browser);
  const viewers = [await openOneToMany(browser), await openOneToMany(browser)];
  const third = await openOneToMany(browser);
  try {
    await presenter.click('#present');
    await expect(presenter.locator('#state')).toHaveText('connected', { timeout: 15_000 });
    const placed = await Promise.all(clients.map(endpointsPerPipeline));
    const originIndex = placed.findIndex((counts) => counts.length === 1);
    expect(originIndex, `one server holds the broadcast: ${JSON.stringify(placed)}`).not.toBe(-1);
    const origin = clients[originIndex] as MediaClient;
    const other = clients[1 - originIndex] as MediaClient;

    for (const viewer of viewers) {
      await viewer.click('#view');
      await expectFramesDecoded(viewer, viewerPeerConnection);
    }
    // The presenter's server: presenter, first viewer and the link's sending end. The other: the
    // link's receiving end and the second viewer, in a pipeline of their own.
    expect(await endpointsPerPipeline(origin)).toEqual([3]);
    expect(await endpointsPerPipeline(other)).toEqual([2]);
    await expect(presenter.locator('#viewers')).toHaveText('2 viewers');

    await third.click('#view');
    await expect(third.locator('#error')).toHaveText(
      'The broadcast has as many viewers as its media servers can take: try again later.',
    );

    // The edge's last viewer leaves: the edge and its link go; the first viewer watches on.
    await viewers[1]?.click('#stop');
    await expect.poll(() => endpointsPerPipeline(other)).toEqual([]);
    await expect.poll(() => endpointsPerPipeline(origin)).toEqual([2]);
    const first = viewers[0] as Page;
    const decoded = await expectFramesDecoded(first, viewerPeerConnection);
    await expectFramesDecoded(first, viewerPeerConnection, decoded + 15);

    // There is room on a server again: the third viewer gets an edge of its own.
    await third.click('#view');
    await expectFramesDecoded(third, viewerPeerConnection);
    expect(await endpointsPerPipeline(other)).toEqual([2]);

    // The presenter stops: the broadcast ends on both servers.
    await presenter.click('#stop');
    await expect(third.locator('#message')).toHaveText('The presenter stopped the broadcast.');
    await expect.poll(() => Promise.all(clients.map(endpointsPerPipeline))).toEqual([[], []]);
  } finally {
    for (const page of [presenter, ...viewers, third]) await page.context().close();
  }
});

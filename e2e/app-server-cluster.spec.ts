import type { Page } from '@playwright/test';
import {
  type RedisServer,
  startRedisServer,
} from '../packages/signaling/test/support/redisServer.js';
import {
  type ChildServer,
  startDemoAppServerProcess,
  startMediaServerProcess,
} from './support/childServer.js';
import { expectFramesDecoded, expectVideoPlaying } from './support/media.js';
import { expect, test } from './support/test.js';

/**
 * Two demo app servers (REDIS_URL, one redis-server) in front of one media server process: a
 * broadcast presented through app server A is watched through app server B, and its end reaches
 * the viewer across the app servers.
 */
test.describe.configure({ mode: 'serial' });

let redis: RedisServer;
let mediaServer: ChildServer;
let appServers: [ChildServer, ChildServer];

test.beforeAll(async () => {
  redis = await startRedisServer();
  mediaServer = await startMediaServerProcess();
  const env = { MEDIA_SERVER_URL: mediaServer.url, REDIS_URL: redis.url };
  appServers = [await startDemoAppServerProcess(env), await startDemoAppServerProcess(env)];
});
test.afterAll(async () => {
  for (const app of appServers ?? []) await app.kill();
  await mediaServer?.kill();
  await redis?.close();
});

const viewerPeerConnection = () => window.one2many.peer?.peerConnection;

async function openOneToMany(page: Page, app: ChildServer): Promise<void> {
  await page.goto(`${app.url}/one2many/?video=320x240@15`);
}

test('a presenter on app server A, a viewer on app server B decodes the broadcast', async ({
  browser,
}) => {
  const [a, b] = appServers;
  const context = await browser.newContext();
  try {
    const presenter = await context.newPage();
    await openOneToMany(presenter, a);
    await presenter.click('#present');
    await expect(presenter.locator('#state')).toHaveText('connected', { timeout: 15_000 });

    const viewer = await context.newPage();
    await openOneToMany(viewer, b);
    await viewer.click('#view');
    await expectFramesDecoded(viewer, viewerPeerConnection);
    await expectVideoPlaying(viewer, '#video');

    // The presenter's app server ends the broadcast; the viewer on the other one is told.
    await presenter.click('#stop');
    await expect(viewer.locator('#message')).toHaveText('The presenter stopped the broadcast.');
    await expect(viewer.locator('#state')).toHaveText('ended');
    await expect(viewer.locator('#view')).toBeEnabled();
  } finally {
    await context.close();
  }
});

import type { MediaClient } from '@medley/media-client';
import type { Page } from '@playwright/test';
import { expectFramesDecoded, expectVideoPlaying, framesDecoded } from './support/media.js';
import { connectToDemoMediaServer, expectPipelineCount } from './support/mediaServer.js';
import { expectLiveStats } from './support/statsPanel.js';
import { allowPageProblems, expect, test } from './support/test.js';

const peerConnection = () => window.loopback.peer?.peerConnection;
/** SESSION_GRACE_MS given to the app server by playwright.config.ts. */
const sessionGraceMs = 3_000;

let media: MediaClient;
test.beforeAll(async ({ request }) => {
  media = await connectToDemoMediaServer(request);
});
test.afterAll(() => media.close());

test.beforeEach(async ({ page }) => {
  await page.goto('/loopback/');
});

async function startCall(page: Page): Promise<void> {
  await page.click('#start');
  await expectFramesDecoded(page, peerConnection);
  await expectVideoPlaying(page, '#remoteVideo');
  await expect(page.locator('#state')).toHaveText('connected');
}

test('plays the camera back through the media server, with live stats, and releases it on stop', async ({
  page,
}) => {
  await expect(page.locator('#stats')).toBeHidden();
  await startCall(page);
  await expectPipelineCount(media, 1);
  await expectLiveStats(page.locator('#stats'), ['bitrateIn', 'bitrateOut']);
  await expect(page.locator('#connection [data-link="server"]')).toHaveText(
    'Demo server: connected',
  );
  await expect(page.locator('#connection [data-link="media"]')).toHaveText('Media: connected');

  await page.click('#stop');
  await expect(page.locator('#state')).toHaveText('stopped');
  await expect(page.locator('#stats')).toBeHidden();
  await expectPipelineCount(media, 0);
});

test('a page reload mid-call leaves no orphan pipeline once the grace period is over', async ({
  page,
}) => {
  await startCall(page);
  await expectPipelineCount(media, 1);
  await page.reload();
  await expectPipelineCount(media, 0, sessionGraceMs + 10_000);
});

test('the call goes on through a forced drop of the signaling socket', async ({ page }) => {
  await startCall(page);
  const sessionBefore = await page.evaluate(() => window.loopback.client?.sessionId);
  await page.evaluate(() => window.loopback.client?.socket.io.engine.close());
  await expect
    .poll(() => page.evaluate(() => window.loopback.client?.state), { timeout: 15_000 })
    .toBe('connected');
  expect(await page.evaluate(() => window.loopback.client?.sessionId)).toBe(sessionBefore);

  const framesBefore = await framesDecoded(page, peerConnection);
  await expectFramesDecoded(page, peerConnection, framesBefore + 20);
  await expectPipelineCount(media, 1);

  // While the demo server cannot be reached, the page says it is reconnecting, and stops saying
  // so once it is back.
  const server = page.locator('#connection [data-link="server"]');
  allowPageProblems(/socket\.io/, /Failed to load resource: net::ERR_FAILED/);
  await page.route('**/socket.io/**', (route) => route.abort());
  await page.evaluate(() => window.loopback.client?.socket.io.engine.close());
  await expect(server).toContainText('Demo server: connection lost, reconnecting (attempt 2)');
  await page.unroute('**/socket.io/**');
  await expect(server).toHaveText('Demo server: connected', { timeout: 15_000 });
  await expect(page.locator('#connection [data-link="media"]')).toHaveText('Media: connected');

  await page.click('#stop');
  await expectPipelineCount(media, 0);
});

test('says in words when the camera is denied', async ({ page }) => {
  await page.addInitScript(() => {
    navigator.mediaDevices.getUserMedia = () =>
      Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
  });
  await page.reload();
  await page.click('#start');
  await expect(page.locator('#error')).toContainText('Camera or microphone access was denied');
  await expect(page.locator('#state')).toHaveText('failed');
  await expectPipelineCount(media, 0);
});

test('says in words when the demo server cannot be reached', async ({ page }) => {
  allowPageProblems(/socket\.io.*ERR_CONNECTION_REFUSED/, /net::ERR_CONNECTION_REFUSED/);
  await page.route('**/socket.io/**', (route) => route.abort('connectionrefused'));
  await page.click('#start');
  await expect(page.locator('#error')).toContainText('cannot be reached', { timeout: 30_000 });
  await expect(page.locator('#state')).toHaveText('failed');
});

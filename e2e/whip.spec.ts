import type { MediaClient } from '@medley/media-client';
import type { WhipSession } from '@medley/webrtc-peer/whip';
import type { Browser, Page } from '@playwright/test';
import { expectFramesDecoded, expectVideoPlaying, framesDecoded } from './support/media.js';
import { connectToDemoMediaServer } from './support/mediaServer.js';
import { coloursAt, useSyntheticMedia } from './support/syntheticCamera.js';
import { allowPageProblems, expect, test } from './support/test.js';
import { e2eWhipToken } from './support/whipToken.js';

/**
 * The WHIP/WHEP page (demos/public/whip/): publishWhip() and playWhep() of @medley/webrtc-peer
 * against the demo app server's /whip/ and /whep/, which forward to its embedded media server
 * (started with WHIP_TOKEN by playwright.config.ts).
 */
declare global {
  interface Window {
    whipDemo: { publisher: WhipSession | undefined; viewer: WhipSession | undefined };
  }
}

/** The publisher's camera: one flat colour, so a viewer's picture can be checked pixel by pixel. */
const CAMERA = { colour: '#ff8000', toneHz: 440 };
const CAMERA_RGB = [255, 128, 0];
const viewerConnection = () => window.whipDemo.viewer?.peerConnection;

let media: MediaClient;
test.beforeAll(async ({ request }) => {
  media = await connectToDemoMediaServer(request);
});
test.afterAll(() => media.close());

/** The names of the WHIP streams the media server holds (pipelines named `whip:<stream>`). */
async function whipStreams(): Promise<string[]> {
  const names = await Promise.all(
    (await media.serverManager.getPipelines()).map((pipeline) => pipeline.getName()),
  );
  return names.filter((name) => name.startsWith('whip:')).map((name) => name.slice(5));
}

/** The WebRtcEndpoints of the stream's pipeline: its publisher and one per viewer. */
async function endpointsOf(stream: string): Promise<number> {
  for (const pipeline of await media.serverManager.getPipelines()) {
    if ((await pipeline.getName()) === `whip:${stream}`) {
      return (await pipeline.getChildren()).length;
    }
  }
  return 0;
}

async function openPage(browser: Browser, stream: string, token = e2eWhipToken): Promise<Page> {
  const page = await browser.newPage();
  await useSyntheticMedia(page, CAMERA);
  await page.goto('/whip/');
  await page.fill('#stream', stream);
  await page.fill('#token', token);
  return page;
}

async function publish(page: Page): Promise<void> {
  await page.click('#publish');
  await expect(page.locator('#publisherState')).toHaveAttribute('data-state', 'connected', {
    timeout: 20_000,
  });
}

async function play(page: Page): Promise<void> {
  await page.click('#play');
  await expectFramesDecoded(page, viewerConnection, 20);
  await expectVideoPlaying(page, '#remoteVideo');
  await expect(page.locator('#viewerState')).toHaveAttribute('data-state', 'connected');
}

/** Waits until the viewer's picture is the publisher's colour (VP8 shifts it a little). */
async function expectPublishersPicture(page: Page): Promise<void> {
  await expect
    .poll(
      async () => {
        const [centre = [0, 0, 0]] = await coloursAt(page, '#remoteVideo', [[0.5, 0.5]]);
        return Math.max(
          ...centre.map((value, index) => Math.abs(value - (CAMERA_RGB[index] ?? 0))),
        );
      },
      { message: "largest difference from the publisher's colour, per channel", timeout: 10_000 },
    )
    .toBeLessThan(48);
}

test('a page publishes its camera with WHIP; three WHEP viewers, each in its page, decode its picture', async ({
  browser,
}) => {
  const stream = 'e2e-camera';
  const publisher = await openPage(browser, stream);
  const trickles: number[] = [];
  publisher.on('response', (response) => {
    if (response.request().method() === 'PATCH') trickles.push(response.status());
  });
  await publish(publisher);
  expect(await whipStreams()).toEqual([stream]);

  const viewers = [];
  for (let index = 0; index < 3; index++) viewers.push(await openPage(browser, stream));
  for (const viewer of viewers) await play(viewer);
  for (const viewer of viewers) await expectPublishersPicture(viewer);
  for (const viewer of viewers) {
    await expectFramesDecoded(
      viewer,
      viewerConnection,
      (await framesDecoded(viewer, viewerConnection)) + 20,
    );
  }
  // One pipeline: the publisher's endpoint feeding the three viewers' endpoints.
  expect(await endpointsOf(stream)).toBe(4);
  // The candidates went by PATCH (trickle ICE), each accepted with 204.
  expect(trickles.length).toBeGreaterThan(0);
  expect(new Set(trickles)).toEqual(new Set([204]));

  // Stop in a viewer's page DELETEs its session only.
  await viewers[0]?.click('#stop');
  await expect.poll(() => endpointsOf(stream)).toBe(3);
  // Leaving the page (pagehide) DELETEs its session too, without waiting for the server's timeout.
  for (const viewer of viewers) await viewer.goto('/');
  await expect.poll(() => endpointsOf(stream)).toBe(1);
  for (const viewer of viewers) await viewer.close();
  // The publisher's DELETE ends the stream and frees its name at once.
  await publisher.click('#stop');
  await expect(publisher.locator('#publisherState')).toHaveAttribute('data-state', 'idle');
  await expect.poll(whipStreams).not.toContain(stream);
  await publisher.close();
});

test('the same page plays its own publication back, through an ICE restart, with the ICE servers of the Link header', async ({
  browser,
}) => {
  const stream = 'e2e-restart';
  const page = await openPage(browser, stream);
  // The answer names a STUN server (on loopback: nothing leaves the namespace), as RFC 9725 §4.6.
  await page.route('**/whep/**', async (route) => {
    if (route.request().method() !== 'POST') return route.fallback();
    const response = await route.fetch();
    await route.fulfill({
      response,
      headers: { ...response.headers(), link: '<stun:127.0.0.1:3478>; rel="ice-server"' },
    });
  });
  await publish(page);
  await play(page);
  await expectPublishersPicture(page);
  const iceServers = await page.evaluate(() =>
    window.whipDemo.viewer?.peerConnection
      .getConfiguration()
      .iceServers?.flatMap((server) => server.urls),
  );
  expect(iceServers).toEqual(['stun:127.0.0.1:3478']);

  const before = await page.evaluate(() => ({
    ufrag: /a=ice-ufrag:(\S+)/.exec(
      window.whipDemo.viewer?.peerConnection.localDescription?.sdp ?? '',
    )?.[1],
    etag: window.whipDemo.viewer?.etag,
  }));
  await page.evaluate(() => window.whipDemo.viewer?.restartIce());
  const after = await page.evaluate(() => ({
    ufrag: /a=ice-ufrag:(\S+)/.exec(
      window.whipDemo.viewer?.peerConnection.localDescription?.sdp ?? '',
    )?.[1],
    etag: window.whipDemo.viewer?.etag,
  }));
  expect(after.ufrag).not.toBe(before.ufrag);
  expect(after.etag).not.toBe(before.etag);
  // The picture goes on, on the new ICE session.
  await expectFramesDecoded(
    page,
    viewerConnection,
    (await framesDecoded(page, viewerConnection)) + 20,
  );
  await expect(page.locator('#viewerState')).toHaveAttribute('data-state', 'connected');

  const deletes: number[] = [];
  page.on('response', (response) => {
    if (response.request().method() === 'DELETE') deletes.push(response.status());
  });
  await page.click('#stop');
  await expect.poll(whipStreams).not.toContain(stream);
  // The viewer's DELETE, then the publisher's: both answered before the page has heard of it.
  await expect.poll(() => deletes).toEqual([200, 200]);
  await page.close();
});

test('a viewer of a stream nobody publishes is told so (404) at once', async ({ browser }) => {
  allowPageProblems(/HTTP 404 for .*\/whep\/nobody-here/, /status of 404 \(Not Found\)/);
  const page = await openPage(browser, 'nobody-here');
  await page.click('#play');
  await expect(page.locator('#error')).toHaveText(
    'Nobody publishes stream "nobody-here" yet: press Publish here or in another tab (or start OBS), then Play again.',
  );
  await expect(page.locator('#viewerState')).toHaveAttribute('data-state', 'failed');
  await expect(page.locator('#play')).toBeEnabled();
  expect(await whipStreams()).not.toContain('nobody-here');
  await page.close();
});

test('a wrong or missing token is refused (401) and said clearly; a name already published is 409', async ({
  browser,
}) => {
  allowPageProblems(
    /HTTP (401|409) for .*\/whip\/e2e-token/,
    /status of (401 \(Unauthorized\)|409 \(Conflict\))/,
  );
  const page = await openPage(browser, 'e2e-token', 'not-the-token');
  await page.click('#publish');
  await expect(page.locator('#error')).toHaveText(
    "The token was refused: enter the app server's WHIP_TOKEN in the Token field and press Publish again. The server says: The bearer token is wrong or not valid for this stream: ask for a new one.",
  );
  await expect(page.locator('#publisherState')).toHaveAttribute('data-state', 'failed');
  await page.fill('#token', '');
  await page.click('#publish');
  await expect(page.locator('#error')).toContainText(
    "The token was refused: enter the app server's WHIP_TOKEN in the Token field and press Publish again. The server says: This endpoint needs a token",
  );
  expect(await whipStreams()).not.toContain('e2e-token');

  // With the right token it publishes; a second publisher of the same name is refused.
  await page.fill('#token', e2eWhipToken);
  await publish(page);
  await expect(page.locator('#error')).toHaveText('');
  const second = await openPage(browser, 'e2e-token');
  await second.click('#publish');
  await expect(second.locator('#error')).toHaveText(
    'Stream "e2e-token" is already being published, by another tab or tool: stop it there, or choose another stream name.',
  );
  await second.close();
  await page.click('#stop');
  await expect.poll(whipStreams).not.toContain('e2e-token');
  await page.close();
});

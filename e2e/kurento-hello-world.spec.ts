import type { MediaClient } from '@medley/media-client';
import { expectFramesDecoded, expectVideoPlaying } from './support/media.js';
import { connectToDemoMediaServer, expectPipelineCount } from './support/mediaServer.js';
import { expect, test } from './support/test.js';

let media: MediaClient;
test.beforeAll(async ({ request }) => {
  media = await connectToDemoMediaServer(request);
});
test.afterAll(() => media.close());

test('a page written for kurento-utils runs the hello-world loopback on Medley', async ({
  page,
}) => {
  await page.goto('/kurento-hello-world/');
  expect(
    await page.evaluate(() => typeof window.kurentoUtils?.WebRtcPeer?.WebRtcPeerSendrecv),
  ).toBe('function');
  await page.click('#start');
  await expectFramesDecoded(page, () => window.webRtcPeer?.peerConnection);
  await expectVideoPlaying(page, '#videoOutput');
  await expect(page.locator('#state')).toHaveText('started');
  await expect(page.locator('#error')).toHaveText('');
  await expect(page.locator('#connection span')).toHaveText([
    'App server: connected',
    'Media: connected',
  ]);
  await expectPipelineCount(media, 1);

  await page.click('#stop');
  await expectPipelineCount(media, 0);
});

import type { MediaClient } from '@medley/media-client';
import { expectLoopbackApp } from './support/loopbackApp.js';
import { expectVideoPlaying } from './support/media.js';
import { connectToDemoMediaServer, expectPipelineCount } from './support/mediaServer.js';
import { expectLiveStats } from './support/statsPanel.js';
import { expect, test } from './support/test.js';

let media: MediaClient;
test.beforeAll(async ({ request }) => {
  media = await connectToDemoMediaServer(request);
});
test.afterAll(() => media.close());

test('the Vue app, built by Vite from the npm packages, runs the loopback call through its composable', async ({
  page,
}) => {
  await expectLoopbackApp(page, media, '/vue/');
});

test('the Vue viewer watches a one-to-many presenter, counts viewers and says when it ends', async ({
  browser,
}) => {
  const context = await browser.newContext();
  try {
    const presenter = await context.newPage();
    await presenter.goto('/one2many/?video=320x240@15');
    const viewer = await context.newPage();
    await viewer.goto('/vue/#viewer');
    // No presenter yet: the server's refusal is shown in words.
    await viewer.click('#view');
    await expect(viewer.locator('#viewerMessage')).not.toBeEmpty();
    await expect(viewer.locator('#viewerState')).toHaveText('failed');

    await presenter.click('#present');
    await expect(presenter.locator('#state')).toHaveText('connected', { timeout: 15_000 });
    await viewer.click('#view');
    await expectVideoPlaying(viewer, '#viewerVideo');
    await expect(viewer.locator('#viewerState')).toHaveText('watching');
    await expectLiveStats(viewer.locator('#stats'), ['bitrateIn']);
    await expect(viewer.locator('#viewers')).toHaveText('1 viewer');
    await expect(presenter.locator('#viewers')).toHaveText('1 viewer');

    await presenter.click('#stop');
    await expect(viewer.locator('#viewerState')).toHaveText('ended');
    await expect(viewer.locator('#viewerMessage')).toHaveText(
      'The presenter stopped the broadcast.',
    );
    await expectPipelineCount(media, 0);
  } finally {
    await context.close();
  }
});

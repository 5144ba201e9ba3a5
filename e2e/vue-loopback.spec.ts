import type { MediaClient } from '@medley/media-client';
import { expect, test } from '@playwright/test';
import { expectVideoPlaying } from './support/media.js';
import { connectToDemoMediaServer, expectPipelineCount } from './support/mediaServer.js';

let media: MediaClient;
test.beforeAll(async ({ request }) => {
  media = await connectToDemoMediaServer(request);
});
test.afterAll(() => media.close());

test('the Vue app, built by Vite from the npm packages, runs the loopback call through its composable', async ({
  page,
}) => {
  await page.goto('/vue/');
  await page.click('#start');
  await expectVideoPlaying(page, '#remoteVideo');
  await expect(page.locator('#state')).toContainText('connected');
  await expect
    .poll(async () =>
      Number((await page.locator('#stats div').last().textContent())?.replace(/\D/g, '')),
    )
    .toBeGreaterThan(10);
  await expectPipelineCount(media, 1);

  await page.click('#stop');
  await expectPipelineCount(media, 0);
});

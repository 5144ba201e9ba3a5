import type { MediaClient } from '@medley/media-client';
import { expect, type Page } from '@playwright/test';
import { expectVideoPlaying } from './media.js';
import { expectPipelineCount } from './mediaServer.js';

/**
 * Runs the loopback call of a framework app (React, Vue) at `path`: Start plays the camera back
 * from the media server with live stats and one pipeline; Stop releases it.
 */
export async function expectLoopbackApp(
  page: Page,
  media: MediaClient,
  path: string,
): Promise<void> {
  await page.goto(path);
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
}

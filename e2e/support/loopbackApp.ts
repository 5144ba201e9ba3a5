import type { MediaClient } from '@medley/media-client';
import { expect, type Page } from '@playwright/test';
import { expectVideoPlaying } from './media.js';
import { expectPipelineCount } from './mediaServer.js';
import { expectLiveStats, statValue } from './statsPanel.js';

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
  const stats = page.locator('#stats');
  await expectLiveStats(stats, ['bitrateIn', 'bitrateOut']);
  await expect.poll(() => statValue(stats, 'framesDecoded')).toBeGreaterThan(10);
  await expect(page.locator('#connection span')).toHaveText([
    'Demo server: connected',
    'Media: connected',
  ]);
  await expectPipelineCount(media, 1);

  await page.click('#stop');
  await expectPipelineCount(media, 0);
}

import { expect, type Locator } from '@playwright/test';

/** Which live bitrate a stats panel shows, by its row key (see demo-page.js, peerStatsRows). */
export type BitrateRow = 'bitrateIn' | 'bitrateOut';

/** The number at the start of a stats panel's row, or 0 while the row is missing or shows '–'. */
export async function statValue(panel: Locator, key: string): Promise<number> {
  const [text] = await panel.locator(`[data-stat="${key}"]`).allTextContents();
  return Number.parseFloat(text ?? '') || 0;
}

/**
 * Waits until a live stats panel shows media moving: a non-zero bitrate in each of `bitrates`,
 * a non-zero frame rate and a resolution.
 */
export async function expectLiveStats(panel: Locator, bitrates: BitrateRow[]): Promise<void> {
  for (const key of [...bitrates, 'fps']) {
    await expect
      .poll(() => statValue(panel, key), {
        message: `stats panel: ${key} above 0`,
        timeout: 15_000,
      })
      .toBeGreaterThan(0);
  }
  await expect(panel.locator('[data-stat="resolution"]')).toHaveText(/^\d+×\d+$/);
}

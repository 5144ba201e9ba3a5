import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromiumLaunchOptions } from '../scripts/chromium.js';
import { expectFramesDecoded } from './support/media.js';
import { expect, test } from './support/test.js';

/**
 * The QR reader page: the fake camera shows a QR code (made here with Debian's qrencode), and the
 * page shows the value the media server's ZBarFilter read from it (a CodeFound event).
 */
const QR_VALUE = 'https://medley.example/demo?code=42';
const folder = join('test-results', 'e2e-qr-reader');
const qrVideo = join(folder, 'qr.y4m');
if (!existsSync(qrVideo)) {
  mkdirSync(folder, { recursive: true });
  execFileSync('qrencode', ['-o', join(folder, 'qr.png'), '-s', '10', '-m', '4', QR_VALUE]);
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-loop',
    '1',
    '-i',
    join(folder, 'qr.png'),
    '-vf',
    'scale=640:480:force_original_aspect_ratio=decrease,pad=640:480:(ow-iw)/2:(oh-ih)/2:white,format=yuv420p',
    '-r',
    '30',
    '-frames:v',
    '10',
    qrVideo,
  ]);
}
test.use({
  launchOptions: {
    ...chromiumLaunchOptions,
    args: [...chromiumLaunchOptions.args, `--use-file-for-fake-video-capture=${qrVideo}`],
  },
});

test('shows the value of the QR code the camera holds up', async ({ page }) => {
  await page.goto('/qr/');
  await expect(page.locator('#code')).toHaveText('none yet');
  await page.click('#start');
  await expectFramesDecoded(page, () => window.qrReader.peer?.peerConnection);
  await expect(page.locator('#code')).toHaveText(`${QR_VALUE} (QR-Code)`, { timeout: 20_000 });
  await page.click('#stop');
  await expect(page.locator('#state')).toHaveText('stopped');
});

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../scripts/chromium.js';
import { expectFramesDecoded } from './support/media.js';
import { expect, test } from './support/test.js';

/**
 * Kurento's magic mirror on the demo page: the fake camera shows a face (the public-domain NASA
 * portrait that scripts/install-system-deps.sh takes from Debian's python3-skimage, made into a
 * .y4m here), and the picture that comes back has the red hat over the face; the camera's own
 * picture has no red there.
 */
const FACE_PICTURE = '/usr/local/share/medley/astronaut.png';
const faceVideo = join('test-results', 'e2e-magic-mirror', 'face.y4m');
if (!existsSync(faceVideo)) {
  mkdirSync(join('test-results', 'e2e-magic-mirror'), { recursive: true });
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-loop',
    '1',
    '-i',
    FACE_PICTURE,
    '-vf',
    'scale=640:480,format=yuv420p',
    '-r',
    '30',
    '-frames:v',
    '10',
    faceVideo,
  ]);
}
test.use({
  launchOptions: {
    ...chromiumLaunchOptions,
    args: [...chromiumLaunchOptions.args, `--use-file-for-fake-video-capture=${faceVideo}`],
  },
});

/** Where the hat goes: above the face the detector finds (x 0.34–0.52, y 0.10–0.34 of the frame). */
const HAT_REGION = { left: 0.36, right: 0.5, top: 0.04, bottom: 0.17 };

/** Share of the region's pixels that are the hat's red, in the video `selector` shows now. */
function hatShare(page: Page, selector: string): Promise<number> {
  return page.evaluate(
    ([videoSelector, region]) => {
      const video = document.querySelector(videoSelector) as HTMLVideoElement;
      if (!video || video.videoWidth === 0) return 0;
      const canvas = document.createElement('canvas');
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const context = canvas.getContext('2d') as CanvasRenderingContext2D;
      context.drawImage(video, 0, 0);
      const x = Math.floor(region.left * canvas.width);
      const y = Math.floor(region.top * canvas.height);
      const width = Math.floor((region.right - region.left) * canvas.width);
      const height = Math.floor((region.bottom - region.top) * canvas.height);
      const { data } = context.getImageData(x, y, width, height);
      let red = 0;
      for (let i = 0; i < data.length; i += 4) {
        if ((data[i] ?? 0) > 170 && (data[i + 1] ?? 255) < 110 && (data[i + 2] ?? 255) < 110) red++;
      }
      return red / (data.length / 4);
    },
    [selector, HAT_REGION] as const,
  );
}

test('draws a hat over the face in the video that comes back, not in the camera', async ({
  page,
}) => {
  await page.goto('/magic-mirror/');
  await page.click('#start');
  await expectFramesDecoded(page, () => window.magicMirror.peer?.peerConnection);
  await expect
    .poll(() => hatShare(page, '#remoteVideo'), {
      message: 'hat pixels over the face',
      timeout: 20_000,
    })
    .toBeGreaterThan(0.3);
  expect(await hatShare(page, '#localVideo')).toBeLessThan(0.02);
  await page.click('#stop');
  await expect(page.locator('#state')).toHaveText('stopped');
});

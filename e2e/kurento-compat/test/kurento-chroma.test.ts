import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import kurento, { type KurentoClient, type MediaElement } from 'kurento-client';
import chroma from 'kurento-module-chroma';
import type { MediaServer } from '../../../packages/media-server/src/index.js';
import { BrowserPeer } from './browserPeer.js';
import { loopThrough, makeVideo, outcome, serverAndClient, waitUntil } from './moduleFlow.js';

/** What Kurento's chroma tutorial calls on the filter (kurento-module-chroma's class). */
interface ChromaFilter extends MediaElement {
  setBackground(uri: string, callback?: (error?: Error) => void): Promise<void>;
  unsetBackground(callback?: (error?: Error) => void): Promise<void>;
}

type Rgb = readonly [number, number, number];
const isGreen = ([r, g, b]: Rgb) => g > 180 && r < 90 && b < 90;
const isRed = ([r, g, b]: Rgb) => r > 180 && g < 90 && b < 90;
/** The background image's colour, 0x2040ff. */
const isBackground = ([r, g, b]: Rgb) => b > 180 && r < 90 && g < 120;

kurento.register(chroma);
const WindowParam = kurento.getComplexType('chroma.WindowParam');

/**
 * Kurento's chroma tutorial, run with kurento-client 7.3 and kurento-module-chroma unchanged: a
 * fake camera shows a red square on green; the filter learns the green from its window and the
 * picture that comes back has the background image where the green was, the square untouched.
 */
describe('kurento-module-chroma: ChromaFilter as the chroma tutorial drives it', () => {
  const folder = mkdtempSync(join(tmpdir(), 'medley-chroma-'));
  const mediaRoot = join(folder, 'media');
  const video = join(folder, 'green.y4m');
  let server: MediaServer;
  let client: KurentoClient;

  before(async () => {
    execFileSync('mkdir', ['-p', mediaRoot]);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=0x2040ff:s=64x48', '-frames:v', '1', join(mediaRoot, 'background.png')]);
    writeFileSync(join(mediaRoot, 'not-an-image.png'), 'plain text, not a PNG');
    makeVideo(video, 'color=0x00ff00:s=320x240:r=15,drawbox=x=120:y=80:w=80:h=80:color=0xff0000:t=fill', 2);
    ({ server, client } = await serverAndClient(mediaRoot));
  });
  after(async () => {
    client?.close();
    await server?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test('getInfo lists the chroma module at its Kurento version', async () => {
    const info = await (await client.getServerManager()).getInfo();
    const module = info.modules.find((entry) => entry.name === 'chroma') as
      | { version: string; factories: string[] }
      | undefined;
    assert.equal(module?.version, '7.3.0');
    assert.deepEqual(module?.factories, ['ChromaFilter']);
  });

  test('the green behind the square becomes the background image, and comes back when unset', { timeout: 120_000 }, async () => {
    const pipeline = await client.create('MediaPipeline');
    const filter = (await pipeline.create('chroma.ChromaFilter', {
      window: WindowParam({ topRightCornerX: 5, topRightCornerY: 5, width: 30, height: 30 }),
    })) as ChromaFilter;
    const { peer } = await loopThrough(pipeline, filter, (onCandidate) =>
      BrowserPeer.launch(onCandidate, { fakeVideo: video }),
    );
    try {
      const colour = async (x: number, y: number): Promise<Rgb> =>
        (await peer.remoteColourAt(x, y)) ?? [0, 0, 0];
      // Without a background image the video passes unchanged, as in KMS.
      await waitUntil(async () => isGreen(await colour(0.85, 0.85)), 'the green comes back');
      await filter.setBackground('background.png');
      await waitUntil(async () => isBackground(await colour(0.85, 0.85)), 'the background replaces the green');
      assert.ok(isBackground(await colour(0.15, 0.5)), 'all of the green is replaced');
      assert.ok(isRed(await colour(0.5, 0.5)), 'the square is not keyed');
      const notImage = await outcome((done) => filter.setBackground('not-an-image.png', done));
      assert.match(String(notImage?.message), /ChromaFilter uri 'not-an-image.png' is not an image/);
      assert.ok(isBackground(await colour(0.85, 0.85)), 'the background stays after a refused one');
      await filter.unsetBackground();
      await waitUntil(async () => isGreen(await colour(0.85, 0.85)), 'the green is back');
    } finally {
      await peer.close();
      await pipeline.release();
    }
  });

  test('bad windows and background URIs get clear errors', async () => {
    const pipeline = await client.create('MediaPipeline');
    try {
      const negative = await outcome((done) =>
        pipeline.create(
          'chroma.ChromaFilter',
          { window: WindowParam({ topRightCornerX: 0, topRightCornerY: 0, width: -10, height: 30 }) },
          done,
        ),
      );
      assert.match(String(negative?.message), /ChromaFilter 'window' must be at least 1x1 pixels, got -10x30/);
      const outside = await outcome((done) =>
        pipeline.create(
          'chroma.ChromaFilter',
          {
            window: WindowParam({ topRightCornerX: 0, topRightCornerY: 0, width: 10, height: 10 }),
            backgroundImage: 'file:///etc/passwd',
          },
          done,
        ),
      );
      assert.match(String(outside?.message), /ChromaFilter .*\/etc\/passwd/);
      const filter = (await pipeline.create('chroma.ChromaFilter', {
        window: WindowParam({ topRightCornerX: 0, topRightCornerY: 0, width: 10, height: 10 }),
      })) as ChromaFilter;
      const notImage = await outcome((done) => filter.setBackground('not-an-image.png', done));
      assert.match(String(notImage?.message), /ChromaFilter uri 'not-an-image.png' is not an image/);
      const created = await outcome((done) =>
        pipeline.create(
          'chroma.ChromaFilter',
          {
            window: WindowParam({ topRightCornerX: 0, topRightCornerY: 0, width: 10, height: 10 }),
            backgroundImage: 'not-an-image.png',
          },
          done,
        ),
      );
      assert.match(String(created?.message), /ChromaFilter uri 'not-an-image.png' is not an image/);
      const missing = await outcome((done) => filter.setBackground('no-such.png', done));
      assert.match(String(missing?.message), /ChromaFilter uri 'no-such.png': no such image/);
      const escaping = await outcome((done) => filter.setBackground('../outside.png', done));
      assert.match(String(escaping?.message), /ChromaFilter/);
    } finally {
      await pipeline.release();
    }
  });
});

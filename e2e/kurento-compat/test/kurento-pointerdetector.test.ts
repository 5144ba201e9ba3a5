import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import kurento, { type KurentoClient, type MediaElement } from 'kurento-client';
import pointerdetector from 'kurento-module-pointerdetector';
import type { MediaServer } from '../../../packages/media-server/src/index.js';
import { BrowserPeer } from './browserPeer.js';
import { loopThrough, makeVideo, outcome, serverAndClient, waitUntil } from './moduleFlow.js';

type Callback = (error?: Error) => void;
/** What Kurento's pointerdetector tutorial calls on the filter (kurento-module-pointerdetector). */
interface PointerDetectorFilter extends MediaElement {
  addWindow(window: object, callback?: Callback): Promise<void>;
  removeWindow(windowId: string, callback?: Callback): Promise<void>;
  clearWindows(callback?: Callback): Promise<void>;
  trackColorFromCalibrationRegion(callback?: Callback): Promise<void>;
}

kurento.register(pointerdetector);
const WindowParam = kurento.getComplexType('pointerdetector.WindowParam');
const PointerWindow = kurento.getComplexType('pointerdetector.PointerDetectorWindowMediaParam');

/**
 * The fake camera: a blue patch always in the calibration region (20,20 20x20), and a larger
 * blue square (the pointer) that stays 3 s at the left (centre 80,140) and 3 s in the 'goal'
 * window (centre 240,140), over and over.
 */
const POINTER_VIDEO =
  'color=0x808080:s=320x240:r=15,drawbox=x=20:y=20:w=20:h=20:color=0x0000ff:t=fill[bg];' +
  "color=0x0000ff:s=40x40:r=15[pointer];[bg][pointer]overlay=x='if(lt(mod(t,6),3),60,220)':y=120:eval=frame";

/**
 * Kurento's pointerdetector tutorial with kurento-client 7.3 and kurento-module-pointerdetector
 * unchanged: windows added, the colour taken from the calibration region, and WindowIn/WindowOut
 * as the pointer moves into the window and out of it.
 */
describe('kurento-module-pointerdetector: PointerDetectorFilter as its tutorial drives it', () => {
  const folder = mkdtempSync(join(tmpdir(), 'medley-pointer-'));
  const video = join(folder, 'pointer.y4m');
  let server: MediaServer;
  let client: KurentoClient;

  before(async () => {
    makeVideo(video, POINTER_VIDEO, 6);
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=0xffff00:s=32x32', '-frames:v', '1', join(folder, 'yellow.png')]);
    ({ server, client } = await serverAndClient(folder));
  });
  after(async () => {
    client?.close();
    await server?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test('getInfo lists the pointerdetector module at its Kurento version', async () => {
    const info = await (await client.getServerManager()).getInfo();
    const module = info.modules.find((entry) => entry.name === 'pointerdetector') as
      | { version: string; factories: string[] }
      | undefined;
    assert.equal(module?.version, '6.18.0');
    assert.deepEqual(module?.factories, ['PointerDetectorFilter']);
  });

  test('the pointer entering and leaving a window raises WindowIn then WindowOut with its id', { timeout: 120_000 }, async () => {
    const pipeline = await client.create('MediaPipeline');
    const filter = (await pipeline.create('pointerdetector.PointerDetectorFilter', {
      calibrationRegion: WindowParam({ topRightCornerX: 20, topRightCornerY: 20, width: 20, height: 20 }),
    })) as PointerDetectorFilter;
    await filter.addWindow(PointerWindow({ id: 'goal', upperRightX: 200, upperRightY: 100, width: 80, height: 80 }));
    await filter.addWindow(
      PointerWindow({ id: 'elsewhere', upperRightX: 200, upperRightY: 10, width: 60, height: 40, image: 'yellow.png', imageTransparency: 0 }),
    );
    await filter.addWindow(PointerWindow({ id: 'removed', upperRightX: 40, upperRightY: 100, width: 80, height: 80 }));
    await filter.removeWindow('removed');
    const events: string[] = [];
    filter.on('WindowIn', (event) => events.push(`in ${String(event.windowId)}`));
    filter.on('WindowOut', (event) => events.push(`out ${String(event.windowId)}`));
    const { peer } = await loopThrough(pipeline, filter, (onCandidate) =>
      BrowserPeer.launch(onCandidate, { fakeVideo: video }),
    );
    try {
      await waitUntil(async () => (await peer.decodedVideoFrames()) > 5, 'the video comes back');
      assert.equal(events.length, 0, 'no colour is tracked before calibration');
      await waitUntil(async () => {
        const [r, g, b] = (await peer.remoteColourAt(230 / 320, 30 / 240)) ?? [0, 0, 0];
        return r > 180 && g > 180 && b < 90;
      }, "the 'elsewhere' window shows its yellow image");
      await filter.trackColorFromCalibrationRegion();
      await waitUntil(async () => {
        const entered = events.indexOf('in goal');
        return entered >= 0 && events.indexOf('out goal', entered) > entered;
      }, 'the pointer went into the goal window and out of it');
      assert.ok(
        events.every((event) => event.endsWith(' goal')),
        `only the goal window sees the pointer: ${events.join(', ')}`,
      );
    } finally {
      await peer.close();
      await pipeline.release();
    }
  });

  test('bad windows and unknown window ids get clear errors', async () => {
    const pipeline = await client.create('MediaPipeline');
    try {
      const badRegion = await outcome((done) =>
        pipeline.create(
          'pointerdetector.PointerDetectorFilter',
          { calibrationRegion: WindowParam({ topRightCornerX: 0, topRightCornerY: 0, width: 10, height: -1 }) },
          done,
        ),
      );
      assert.match(String(badRegion?.message), /PointerDetectorFilter 'calibrationRegion' must be at least 1x1 pixels, got 10x-1/);
      const filter = (await pipeline.create('pointerdetector.PointerDetectorFilter', {
        calibrationRegion: WindowParam({ topRightCornerX: 0, topRightCornerY: 0, width: 10, height: 10 }),
        windows: [PointerWindow({ id: 'a', upperRightX: 0, upperRightY: 0, width: 10, height: 10 })],
      })) as PointerDetectorFilter;
      const negative = await outcome((done) =>
        filter.addWindow(PointerWindow({ id: 'b', upperRightX: 5, upperRightY: 5, width: -20, height: 10 }), done),
      );
      assert.match(String(negative?.message), /PointerDetectorFilter 'window' must be at least 1x1 pixels, got -20x10/);
      const opacity = await outcome((done) =>
        filter.addWindow(PointerWindow({ id: 'c', upperRightX: 0, upperRightY: 0, width: 10, height: 10, imageTransparency: 2 }), done),
      );
      assert.match(String(opacity?.message), /'window.imageTransparency' must be from 0 \(opaque images\) to 1, got 2/);
      const missing = await outcome((done) =>
        filter.addWindow(PointerWindow({ id: 'd', upperRightX: 0, upperRightY: 0, width: 10, height: 10, image: 'missing.png' }), done),
      );
      assert.match(String(missing?.message), /PointerDetectorFilter uri 'missing.png': no such image/);
      const unknown = await outcome((done) => filter.removeWindow('nope', done));
      assert.match(String(unknown?.message), /PointerDetectorFilter has no window 'nope' \(its windows: 'a'\)/);
      await filter.clearWindows();
      const cleared = await outcome((done) => filter.removeWindow('a', done));
      assert.match(String(cleared?.message), /has no window 'a' \(its windows: none\)/);
    } finally {
      await pipeline.release();
    }
  });
});

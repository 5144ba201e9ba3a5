import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import kurento, { type KurentoClient, type MediaElement } from 'kurento-client';
import platedetector from 'kurento-module-platedetector';
import type { MediaServer } from '../../../packages/media-server/src/index.js';
import { BrowserPeer } from './browserPeer.js';
import { loopThrough, makeVideo, outcome, serverAndClient, waitUntil } from './moduleFlow.js';

/** What Kurento's platedetector tutorial uses of the filter (kurento-module-platedetector). */
interface PlateDetectorFilter extends MediaElement {
  setPlateWidthPercentage(fraction: number, callback?: (error?: Error) => void): Promise<void>;
}

kurento.register(platedetector);

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
const PLATE = 'MDL 4217';
/** A white plate with a black rim and the plate's text (ffmpeg drawtext) on a car-coloured frame. */
const PLATE_VIDEO =
  'color=0x303848:s=640x360:r=15,' +
  'drawbox=x=190:y=145:w=260:h=70:color=white:t=fill,drawbox=x=190:y=145:w=260:h=70:color=black:t=4,' +
  `drawtext=fontfile=${FONT}:text='${PLATE}':fontsize=44:fontcolor=black:x=(w-text_w)/2:y=(h-text_h)/2`;

/**
 * Kurento's platedetector tutorial with kurento-client 7.3 and kurento-module-platedetector
 * unchanged: a fake camera shows a plate, and PlateDetected carries its text.
 */
describe('kurento-module-platedetector: PlateDetectorFilter as its tutorial drives it', () => {
  const folder = mkdtempSync(join(tmpdir(), 'medley-plate-'));
  const video = join(folder, 'plate.y4m');
  let server: MediaServer;
  let client: KurentoClient;

  before(async () => {
    makeVideo(video, PLATE_VIDEO, 2);
    ({ server, client } = await serverAndClient(folder));
  });
  after(async () => {
    client?.close();
    await server?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test('a plate in view raises PlateDetected with its text, once', { timeout: 120_000 }, async () => {
    const pipeline = await client.create('MediaPipeline');
    const filter = (await pipeline.create('platedetector.PlateDetectorFilter')) as PlateDetectorFilter;
    await filter.setPlateWidthPercentage(0.4);
    const plates: string[] = [];
    filter.on('PlateDetected', (event) => plates.push(String(event.plate)));
    const { peer } = await loopThrough(pipeline, filter, (onCandidate) =>
      BrowserPeer.launch(onCandidate, { fakeVideo: video }),
    );
    try {
      await waitUntil(async () => plates.length > 0, 'a plate was read', 60_000);
      // The plate stays in view: more readings of the same text raise nothing more.
      const decoded = await peer.decodedVideoFrames();
      await waitUntil(async () => (await peer.decodedVideoFrames()) > decoded + 30, 'more frames came');
    } finally {
      await peer.close();
      await pipeline.release();
    }
    assert.deepEqual(plates, [PLATE]);
  });

  test('a plate width out of range is refused', async () => {
    const pipeline = await client.create('MediaPipeline');
    try {
      const filter = (await pipeline.create('platedetector.PlateDetectorFilter')) as PlateDetectorFilter;
      const tooWide = await outcome((done) => filter.setPlateWidthPercentage(30, done));
      assert.match(String(tooWide?.message), /'plateWidthPercentage' must be a fraction of the frame's width.*got 30/);
    } finally {
      await pipeline.release();
    }
  });
});

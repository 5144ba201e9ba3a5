import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import kurento, { type KurentoClient, type MediaElement } from 'kurento-client';
import crowddetector from 'kurento-module-crowddetector';
import type { MediaServer } from '../../../packages/media-server/src/index.js';
import { BrowserPeer } from './browserPeer.js';
import { loopThrough, makeVideo, outcome, serverAndClient, waitUntil } from './moduleFlow.js';

type Callback = (error?: Error) => void;
/** What Kurento's crowddetector tutorial uses of the filter (kurento-module-crowddetector). */
interface CrowdDetectorFilter extends MediaElement {
  setProcessingWidth(width: number, callback?: Callback): Promise<void>;
  getProcessingWidth(): Promise<number>;
}

kurento.register(crowddetector);
const RelativePoint = kurento.getComplexType('crowddetector.RelativePoint');
const RegionOfInterest = kurento.getComplexType('crowddetector.RegionOfInterest');
const RegionOfInterestConfig = kurento.getComplexType('crowddetector.RegionOfInterestConfig');

/** Five light squares (50x50) crossing a dark frame from left to right, 4 px a frame. */
const CROWD_VIDEO = [
  'color=0x202020:s=320x240:r=15[bg]',
  ...[0, 1, 2, 3, 4].map((index) => `color=0xe0e0e0:s=50x50:r=15[s${index}]`),
  ...[0, 1, 2, 3, 4].map(
    (index) =>
      `[${index === 0 ? 'bg' : `o${index - 1}`}][s${index}]overlay=x='mod(t*60+${index * 73},370)-50':y=${10 + index * 45}:eval=frame${index === 4 ? '' : `[o${index}]`}`,
  ),
].join(';');

const square = (id: string, config: object) =>
  RegionOfInterest({
    id,
    points: [
      RelativePoint({ x: 0, y: 0 }),
      RelativePoint({ x: 1, y: 0 }),
      RelativePoint({ x: 1, y: 1 }),
      RelativePoint({ x: 0, y: 1 }),
    ],
    regionOfInterestConfig: RegionOfInterestConfig(config),
  });

/**
 * Kurento's crowddetector tutorial with kurento-client 7.3 and kurento-module-crowddetector
 * unchanged: a region of interest over moving shapes raises occupancy, fluidity and direction
 * events with Kurento's fields.
 */
describe('kurento-module-crowddetector: CrowdDetectorFilter as its tutorial drives it', () => {
  const folder = mkdtempSync(join(tmpdir(), 'medley-crowd-'));
  const video = join(folder, 'crowd.y4m');
  let server: MediaServer;
  let client: KurentoClient;

  before(async () => {
    makeVideo(video, CROWD_VIDEO, 6);
    ({ server, client } = await serverAndClient(folder));
  });
  after(async () => {
    client?.close();
    await server?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  test('moving shapes in a region raise occupancy, fluidity and direction events', { timeout: 120_000 }, async () => {
    const pipeline = await client.create('MediaPipeline');
    const filter = (await pipeline.create('crowddetector.CrowdDetectorFilter', {
      rois: [
        square('hall', {
          occupancyLevelMin: 5,
          occupancyLevelMed: 40,
          occupancyLevelMax: 80,
          occupancyNumFramesToEvent: 5,
          fluidityLevelMin: 10,
          fluidityLevelMed: 35,
          fluidityLevelMax: 65,
          fluidityNumFramesToEvent: 5,
          sendOpticalFlowEvent: true,
          opticalFlowNumFramesToEvent: 3,
          opticalFlowNumFramesToReset: 3,
          opticalFlowAngleOffset: 0,
        }),
      ],
    })) as CrowdDetectorFilter;
    assert.equal(await filter.getProcessingWidth(), 320);
    const events: Record<string, unknown>[] = [];
    for (const name of ['CrowdDetectorOccupancy', 'CrowdDetectorFluidity', 'CrowdDetectorDirection']) {
      filter.on(name, (event) => events.push({ ...event, name }));
    }
    const { peer } = await loopThrough(pipeline, filter, (onCandidate) =>
      BrowserPeer.launch(onCandidate, { fakeVideo: video }),
    );
    const seen = (name: string) => events.find((event) => event.name === name);
    try {
      await waitUntil(
        async () =>
          seen('CrowdDetectorOccupancy') !== undefined &&
          seen('CrowdDetectorFluidity') !== undefined &&
          seen('CrowdDetectorDirection') !== undefined,
        'all three events came',
      );
    } finally {
      await peer.close();
      await pipeline.release();
    }
    const occupancy = seen('CrowdDetectorOccupancy') ?? {};
    assert.equal(occupancy.roiID, 'hall');
    assert.ok(Number(occupancy.occupancyLevel) >= 1, `occupied: ${JSON.stringify(occupancy)}`);
    assert.ok(Number(occupancy.occupancyPercentage) >= 5);
    const fluidity = seen('CrowdDetectorFluidity') ?? {};
    assert.equal(fluidity.roiID, 'hall');
    assert.ok(Number(fluidity.fluidityLevel) >= 1, `moving: ${JSON.stringify(fluidity)}`);
    const directions = events.filter((event) => event.name === 'CrowdDetectorDirection');
    const rightwards = directions.filter((event) => {
      const angle = Number(event.directionAngle);
      return angle < 30 || angle > 330;
    });
    assert.ok(
      rightwards.length > directions.length / 2,
      `the shapes move right (0 degrees): ${directions.map((event) => Math.round(Number(event.directionAngle))).join(', ')}`,
    );
  });

  test('regions out of the frame and bad settings get clear errors', async () => {
    const pipeline = await client.create('MediaPipeline');
    try {
      const outside = await outcome((done) =>
        pipeline.create(
          'crowddetector.CrowdDetectorFilter',
          {
            rois: [
              RegionOfInterest({
                id: 'out',
                points: [RelativePoint({ x: 0, y: 0 }), RelativePoint({ x: 1.5, y: 0 }), RelativePoint({ x: 1, y: 1 })],
                regionOfInterestConfig: RegionOfInterestConfig({}),
              }),
            ],
          },
          done,
        ),
      );
      assert.match(String(outside?.message), /CrowdDetectorFilter 'rois\[0\]\.points\[1\]' must be within \[0, 1\]/);
      const line = await outcome((done) =>
        pipeline.create(
          'crowddetector.CrowdDetectorFilter',
          {
            rois: [
              RegionOfInterest({
                id: 'line',
                points: [RelativePoint({ x: 0, y: 0 }), RelativePoint({ x: 1, y: 1 })],
                regionOfInterestConfig: RegionOfInterestConfig({}),
              }),
            ],
          },
          done,
        ),
      );
      assert.match(String(line?.message), /must have from 3 to 64 points/);
      const filter = (await pipeline.create('crowddetector.CrowdDetectorFilter', {
        rois: [square('ok', {})],
      })) as CrowdDetectorFilter;
      const width = await outcome((done) => filter.setProcessingWidth(2, done));
      assert.match(String(width?.message), /'processingWidth' must be from 16 to 1920 pixels, got 2/);
    } finally {
      await pipeline.release();
    }
  });
});

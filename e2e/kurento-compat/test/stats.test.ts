import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import kurento, {
  type KurentoClient,
  type MediaPipeline,
  type WebRtcEndpoint,
} from 'kurento-client';
import { createMediaServer, type MediaServer } from '../../../packages/media-server/src/index.js';
import { assertKmdShape } from '../../../packages/media-server/test/support/kurentoStatsShapes.js';
import { BrowserPeer, type CandidateInit } from './browserPeer.js';

/**
 * Kurento's loopback-stats tutorial (tutorials/javascript-browser/loopback-stats, and
 * kurento-tutorial-js's kurento-loopback-stats for Kurento 6) with kurento-client 7.3.0
 * unchanged: the pipeline's latency stats on, a WebRtcEndpoint looped to itself, and once its
 * media state is CONNECTED the tutorial's `getMediaElementStats` run every second. Each of the
 * 18 RTP fields the page shows, and its end-to-end latency, must be filled.
 */

type Stats = Record<string, unknown>;
type StatsCallback = (error: unknown, stats?: Stats) => void;

/** The calls the tutorial makes beyond what kurento-client.d.ts declares. */
interface StatsPipeline extends MediaPipeline {
  setLatencyStats(latencyStats: boolean, callback: (error?: Error) => void): Promise<void>;
}
interface StatsEndpoint extends WebRtcEndpoint {
  getStats(mediaType: string, callback: (error: unknown, report: Record<string, Stats>) => void): void;
}

const IceCandidate = kurento.getComplexType('IceCandidate');

/** The tutorial's helper, as index.js has it (callback style, first entry of the type wins). */
function getMediaElementStats(
  mediaElement: StatsEndpoint,
  statsType: string,
  mediaType: string,
  callback: StatsCallback,
) {
  mediaElement.getStats(mediaType, (error, statsMap) => {
    if (error) return callback(error);
    for (const key in statsMap) {
      if (!Object.hasOwn(statsMap, key)) continue;
      const stats = statsMap[key] as Stats;
      if (stats.type !== statsType) continue;
      return callback(null, stats);
    }
    return callback(
      `Could not find ${statsType}:${mediaType} stats in element ${mediaElement.id}`,
    );
  });
}

function elementStats(endpoint: StatsEndpoint, statsType: string): Promise<Stats> {
  return new Promise((resolve, reject) =>
    getMediaElementStats(endpoint, statsType, 'VIDEO', (error, stats) =>
      error || !stats ? reject(new Error(String(error))) : resolve(stats),
    ),
  );
}

/** What printStats puts on the page from the server's stats (index.js, "kms*" cells). */
const INBOUND_FIELDS = [
  'ssrc',
  'bytesReceived',
  'packetsReceived',
  'pliCount',
  'firCount',
  'nackCount',
  'jitter',
  'packetsLost',
  'fractionLost',
  'remb',
] as const;
const OUTBOUND_FIELDS = [
  'ssrc',
  'bytesSent',
  'packetsSent',
  'pliCount',
  'firCount',
  'nackCount',
  'roundTripTime',
  'remb',
] as const;

function connectKurento(url: string): Promise<KurentoClient> {
  return new Promise((resolve, reject) => {
    kurento(url, {}, (error, client) => (error ? reject(error) : resolve(client)));
  });
}

describe("kurento-client 7.3.0 runs Kurento's loopback-stats tutorial against Medley", () => {
  let server: MediaServer;
  let client: KurentoClient;

  before(async () => {
    server = await createMediaServer({ port: 0, logLevel: 'warn' });
    client = await connectKurento(server.url);
  });
  after(async () => {
    client.close();
    await server.close();
  });

  test('all 18 RTP fields and the E2E latency the page shows are filled', { timeout: 120_000 }, async () => {
    const pipeline = (await client.create('MediaPipeline')) as StatsPipeline;
    const latencyStatsSet = new Promise<void>((resolve, reject) =>
      pipeline.setLatencyStats(true, (error) => (error ? reject(error) : resolve())),
    );
    const webRtc = (await pipeline.create('WebRtcEndpoint')) as StatsEndpoint;
    const browser = await BrowserPeer.launch((candidate) =>
      webRtc.addIceCandidate(IceCandidate(candidate)),
    );
    try {
      webRtc.on('IceCandidateFound', (event) => {
        void browser.addServerCandidate(event.candidate as CandidateInit);
      });
      const mediaConnected = new Promise<void>((resolve) =>
        webRtc.on('MediaStateChanged', (event) => {
          if (event.newState === 'CONNECTED') resolve();
        }),
      );
      const answer = await webRtc.processOffer(await browser.createOffer());
      await webRtc.gatherCandidates();
      await browser.applyAnswer(answer);
      await webRtc.connect(webRtc);
      await latencyStatsSet;
      await mediaConnected;

      // The tutorial polls every second; the fields fill as RTCP and REMB arrive.
      let inbound: Stats = {};
      let outbound: Stats = {};
      let endpoint: Stats = {};
      const deadline = Date.now() + 60_000;
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        inbound = await elementStats(webRtc, 'inboundrtp');
        outbound = await elementStats(webRtc, 'outboundrtp');
        endpoint = await elementStats(webRtc, 'endpoint');
        const filled =
          (outbound.roundTripTime as number) > 0 &&
          (outbound.remb as number) > 0 &&
          (inbound.remb as number) > 0 &&
          (endpoint.E2ELatency as unknown[]).length > 0;
        if (filled) break;
        if (Date.now() > deadline) {
          assert.fail(`fields still empty: ${JSON.stringify({ inbound, outbound, endpoint })}`);
        }
      }

      const shown = [
        ...INBOUND_FIELDS.map((field) => [`kms inbound ${field}`, inbound[field]] as const),
        ...OUTBOUND_FIELDS.map((field) => [`kms outbound ${field}`, outbound[field]] as const),
      ];
      assert.equal(shown.length, 18);
      for (const [cell, value] of shown) {
        assert.ok(value !== undefined && value !== null && value !== '', `${cell}: ${value}`);
        if (cell.endsWith('ssrc')) assert.match(String(value), /^\d+$/, cell);
        else assert.ok(typeof value === 'number' && Number.isFinite(value), `${cell}: ${value}`);
      }
      assert.ok((inbound.packetsReceived as number) > 0 && (outbound.packetsSent as number) > 0);
      for (const stats of [inbound, outbound, endpoint]) assertKmdShape(stats);

      // Kurento 7's page reads E2ELatency (MediaLatencyStat[], ns); Kurento 6's videoE2ELatency.
      const [video] = endpoint.E2ELatency as { name: string; type: string; avg: number }[];
      assert.equal(video?.type, 'VIDEO');
      assert.equal(video?.name, 'sink_video_default');
      const milliseconds = (endpoint.videoE2ELatency as number) / 1_000_000;
      assert.ok(milliseconds > 0 && milliseconds < 5000, `E2E latency ${milliseconds} ms`);
      assert.equal(endpoint.videoE2ELatency, video?.avg);
    } finally {
      await browser.close();
    }
    await pipeline.release();
  });
});

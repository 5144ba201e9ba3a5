import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bitrate, summarizeStats } from '../../src/stats.js';

type Stat = Record<string, unknown> & { id: string; type: string };

function report(...stats: Stat[]): Map<string, Stat> {
  return new Map(stats.map((stat) => [stat.id, stat]));
}

// Field names and units as Chromium reports them (RTCStats, webrtc-stats spec).
function sample(timestamp: number, scale: number): Map<string, Stat> {
  return report(
    { id: 'T01', type: 'transport', timestamp, selectedCandidatePairId: 'CP1' },
    { id: 'CP1', type: 'candidate-pair', timestamp, currentRoundTripTime: 0.002 },
    { id: 'CP2', type: 'candidate-pair', timestamp, currentRoundTripTime: 0.5 },
    {
      id: 'IV',
      type: 'inbound-rtp',
      kind: 'video',
      timestamp,
      bytesReceived: 100_000 * scale,
      packetsReceived: 100 * scale,
      packetsLost: 3,
      jitter: 0.004,
      framesDecoded: 30 * scale,
      framesPerSecond: 30,
      frameWidth: 640,
      frameHeight: 480,
    },
    {
      id: 'IA',
      type: 'inbound-rtp',
      kind: 'audio',
      timestamp,
      bytesReceived: 4_000 * scale,
      packetsReceived: 50 * scale,
      packetsLost: 0,
      jitter: 0.001,
    },
    // Simulcast: three layers of one track.
    ...[160, 320, 640].map((width, layer) => ({
      id: `OV${layer}`,
      type: 'outbound-rtp',
      kind: 'video',
      timestamp,
      bytesSent: 10_000 * (layer + 1) * scale,
      packetsSent: 10 * scale,
      framesEncoded: 15 * scale,
      framesPerSecond: 15,
      frameWidth: width,
      frameHeight: (width * 3) / 4,
    })),
    {
      id: 'RIV',
      type: 'remote-inbound-rtp',
      kind: 'video',
      timestamp,
      packetsLost: 2,
    },
  );
}

describe('summarizeStats', () => {
  it('summarises inbound and outbound media per kind, leaving bitrates unknown at first', () => {
    const { stats } = summarizeStats(sample(1_000, 1));
    assert.equal(stats.timestamp, 1_000);
    assert.equal(stats.roundTripTime, 0.002);
    assert.deepEqual(stats.inbound.video, {
      bitrate: undefined,
      bytes: 100_000,
      packets: 100,
      packetsLost: 3,
      jitter: 0.004,
      framesDecoded: 30,
      framesPerSecond: 30,
      frameWidth: 640,
      frameHeight: 480,
    });
    assert.equal(stats.inbound.audio?.framesDecoded, undefined);
    assert.equal(stats.inbound.audio?.packets, 50);
  });

  it('adds up simulcast layers and reports the largest layer resolution', () => {
    const { stats } = summarizeStats(sample(1_000, 1));
    assert.deepEqual(stats.outbound.video, {
      bitrate: undefined,
      bytes: 60_000,
      packets: 30,
      packetsLost: 2,
      framesEncoded: 45,
      framesPerSecond: 15,
      frameWidth: 640,
      frameHeight: 480,
      encodings: 3,
    });
    assert.equal(stats.outbound.audio, undefined);
  });

  it('computes bitrates from the byte counts of the previous call', () => {
    const first = summarizeStats(sample(1_000, 1));
    const { stats } = summarizeStats(sample(3_000, 2), first.baseline);
    // 100 000 more bytes in 2 s: 400 kbit/s.
    assert.equal(stats.inbound.video?.bitrate, 400_000);
    assert.equal(stats.inbound.audio?.bitrate, 16_000);
    assert.equal(stats.outbound.video?.bitrate, 240_000);
  });

  it('falls back to the nominated candidate pair when there is no transport stat (Firefox)', () => {
    const { stats } = summarizeStats(
      report(
        { id: 'a', type: 'candidate-pair', nominated: false, currentRoundTripTime: 1 },
        { id: 'b', type: 'candidate-pair', selected: true, currentRoundTripTime: 0.03 },
      ),
    );
    assert.equal(stats.roundTripTime, 0.03);
  });

  it('reports nothing for an empty report (a connection not yet negotiated)', () => {
    const { stats } = summarizeStats(new Map());
    assert.deepEqual(stats, {
      timestamp: 0,
      roundTripTime: undefined,
      inbound: {},
      outbound: {},
    });
  });
});

describe('bitrate', () => {
  it('is unknown without a previous sample, elapsed time, or when the counter went back', () => {
    assert.equal(bitrate(undefined, 1_000, 1_000), undefined);
    assert.equal(bitrate({ bytes: 0, timestamp: 1_000 }, 1_000, 1_000), undefined);
    assert.equal(bitrate({ bytes: 5_000, timestamp: 0 }, 1_000, 1_000), undefined);
  });

  it('is bits per second over the elapsed milliseconds', () => {
    assert.equal(bitrate({ bytes: 0, timestamp: 0 }, 125_000, 500), 2_000_000);
  });
});

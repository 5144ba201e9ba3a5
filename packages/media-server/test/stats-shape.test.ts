import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type MediaCodec,
  MediaNode,
  type MediaPacket,
  PassThroughNode,
  VideoFrameMeter,
  videoSizeOf,
} from '../src/graph/index.js';
import { elementStats } from '../src/stats/elementStats.js';
import { StatsIntervals } from '../src/stats/StatsIntervals.js';
import { kurentoWebRtcStats } from '../src/stats/webRtcStats.js';
import type { TransportStatsEntry } from '../src/transport/index.js';
import { RtpReceptionStatistics } from '../src/transport/plainRtp/RtpReceptionStatistics.js';
import { assertKmdShape } from './support/kurentoStatsShapes.js';

/**
 * Kurento's stats shapes built from parts: latency measured along a real graph, frames counted
 * from RTP payloads, and the Kurento shape of W3C entries the browser tests cannot produce
 * (reflexive candidates, pairs in progress, data channels without an id).
 */

const VP8: MediaCodec = { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 };
const H264: MediaCodec = { mimeType: 'video/H264', payloadType: 102, clockRate: 90000 };
const VP9: MediaCodec = { mimeType: 'video/VP9', payloadType: 98, clockRate: 90000 };
const OPUS: MediaCodec = {
  mimeType: 'audio/opus',
  payloadType: 111,
  clockRate: 48000,
  channels: 2,
};

function packet(codec: MediaCodec, payload: Buffer, timestamp = 1000): MediaPacket {
  return {
    payloadType: codec.payloadType,
    sequenceNumber: 1,
    timestamp,
    ssrc: 7,
    marker: true,
    payload,
    codec,
  };
}

/** An RTP payload starting a VP8 key frame of `width` x `height` (RFC 7741, RFC 6386 9.1). */
function vp8Keyframe(width: number, height: number): Buffer {
  const frame = Buffer.from([0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0, 0, 0, 0, 0xff]);
  frame.writeUInt16LE(width, 7);
  frame.writeUInt16LE(height, 9);
  return frame;
}

/** An SPS of a 320x240 baseline stream, as ffmpeg's libx264 writes it. */
const SPS_320X240 = Buffer.from('6742c00dd90141fb0110000003001000000303c0f142a480', 'hex');

describe('latency along the graph', () => {
  function chain(latencyStats: boolean) {
    const origin = new MediaNode({ name: 'publisher' });
    const middle = new PassThroughNode();
    const end = new MediaNode({ name: 'subscriber' });
    for (const node of [origin, middle, end]) node.latencyStats = latencyStats;
    origin.connect(middle);
    middle.connect(end);
    const seen: (number | undefined)[] = [];
    end.sink('AUDIO').onRtp = (forwarded) => {
      seen.push(forwarded.enteredAtMs);
      // The endpoint's work (encrypting, sending) takes time: here a busy wait.
      const until = performance.now() + 1;
      while (performance.now() < until);
    };
    return { origin, middle, end, seen };
  }

  test('media is stamped where it enters and keeps its stamp through a PassThrough', () => {
    const { origin, middle, end, seen } = chain(true);
    const before = performance.now();
    origin.source('AUDIO').pushRtp(packet(OPUS, Buffer.from([1, 2, 3])));
    assert.equal(seen.length, 1);
    const [enteredAtMs] = seen;
    assert.ok(enteredAtMs !== undefined && enteredAtMs >= before);
    assert.equal(middle.sink('AUDIO').inputLatency.samples, 1);
    const endSink = end.sink('AUDIO');
    assert.equal(endSink.inputLatency.samples, 1);
    assert.ok(endSink.outputLatency.averageNs >= 1_000_000, 'the busy millisecond is counted');
    assert.ok(endSink.outputLatency.averageNs >= endSink.inputLatency.averageNs);
  });

  test('nothing is stamped or measured while latencyStats is off', () => {
    const { origin, end, seen } = chain(false);
    origin.source('AUDIO').pushRtp(packet(OPUS, Buffer.from([1, 2, 3])));
    assert.deepEqual(seen, [undefined]);
    assert.equal(end.sink('AUDIO').inputLatency.samples, 0);
    assert.equal(end.sink('AUDIO').outputLatency.samples, 0);
  });

  test('an endpoint entry reports its measured streams under Kurento pad names, in ns', () => {
    const { origin, end } = chain(true);
    origin.source('AUDIO').pushRtp(packet(OPUS, Buffer.from([1])));
    const stats = elementStats('endpoint-id', end, 'endpoint', undefined, Date.now());
    assertKmdShape(stats);
    assert.equal(stats.type, 'endpoint');
    const e2e = stats.E2ELatency;
    assert.deepEqual(
      e2e.map(({ name, type }) => ({ name, type })),
      [{ name: 'sink_audio_default', type: 'AUDIO' }],
      'VIDEO never flowed: no entry for it',
    );
    assert.ok((e2e[0]?.avg ?? 0) >= 1_000_000, 'in nanoseconds');
    assert.equal(stats.audioE2ELatency, e2e[0]?.avg);
    assert.equal(stats.videoE2ELatency, 0);
    assert.deepEqual(elementStats('endpoint-id', end, 'endpoint', 'VIDEO', 0).inputLatency, []);
    const element = elementStats('pass-id', new PassThroughNode(), 'element', undefined, 0);
    assertKmdShape(element);
    assert.ok(!('E2ELatency' in element));
  });
});

describe('frames counted without decoding', () => {
  test('reads the picture size of VP8 and H.264 key frames and the VP9 scalability structure', () => {
    assert.deepEqual(videoSizeOf(VP8, vp8Keyframe(640, 360)), { width: 640, height: 360 });
    assert.equal(videoSizeOf(VP8, Buffer.from([0x10, 0x01, 0, 0])), undefined, 'an inter frame');
    assert.deepEqual(videoSizeOf(H264, SPS_320X240), { width: 320, height: 240 });
    const stapA = Buffer.concat([
      Buffer.from([24, 0, SPS_320X240.length]),
      SPS_320X240,
      Buffer.from([0, 2, 0x68, 0xce]),
    ]);
    assert.deepEqual(videoSizeOf(H264, stapA), { width: 320, height: 240 });
    // I (picture id, 15 bits), B, V; scalability structure: 2 layers with sizes.
    const vp9 = Buffer.from([
      0x8a, 0x80, 0x01, 0x30, 0x01, 0x40, 0x00, 0xb4, 0x02, 0x80, 0x01, 0x68,
    ]);
    assert.deepEqual(videoSizeOf(VP9, vp9), { width: 640, height: 360 });
  });

  test('a new RTP timestamp is a new frame; key frames tell the size', () => {
    const meter = new VideoFrameMeter();
    meter.count(packet(VP8, vp8Keyframe(320, 240), 1000), 0);
    meter.count(packet(VP8, Buffer.from([0x00, 0x00]), 1000), 10);
    meter.count(packet(VP8, Buffer.from([0x10, 0x01, 0, 0]), 4000), 33);
    assert.equal(meter.frames, 2);
    assert.deepEqual(meter.size, { width: 320, height: 240 });
    for (let frame = 0; frame < 40; frame++) {
      meter.count(packet(VP8, Buffer.from([0x10, 0x01]), 7000 + frame * 3000), 1000 + frame * 50);
    }
    assert.equal(meter.framesPerSecond(3000), 20, 'one frame every 50 ms');
    assert.equal(meter.framesPerSecond(10_000), 0, 'stale once the stream stops');
  });
});

describe('intervals between getStats calls', () => {
  test('fraction lost is counted since the previous call, as RTCP does (times 256)', () => {
    const intervals = new StatsIntervals();
    assert.equal(intervals.fractionLost('in', 90, 10), 25, '10 of 100 since the start');
    assert.equal(intervals.fractionLost('in', 190, 10), 0, 'none lost since');
    assert.equal(intervals.fractionLost('in', 240, 60), 128, '50 of 100 since');
  });

  test('the bitrate sent is the bytes since the previous call over the time between', () => {
    const intervals = new StatsIntervals();
    assert.equal(intervals.bitrate('out', 1000, 0), 0, 'nothing to compare with yet');
    assert.equal(intervals.bitrate('out', 126_000, 1000), 1_000_000);
    intervals.keepOnly(new Set());
    assert.equal(intervals.bitrate('out', 200_000, 2000), 0, 'forgotten with its stream');
  });
});

describe('reception statistics of plain RTP (RFC 3550)', () => {
  const received = (
    statistics: RtpReceptionStatistics,
    sequenceNumber: number,
    arrivalMs: number,
  ) =>
    statistics.count(
      { ssrc: 1, sequenceNumber, timestamp: sequenceNumber * 900, codec: VP8 },
      arrivalMs,
    );

  test('losses are counted across the sequence-number wrap, late packets fill their gap', () => {
    const statistics = new RtpReceptionStatistics();
    for (const sequenceNumber of [65533, 65534, 1, 2, 65535, 4]) {
      received(statistics, sequenceNumber, sequenceNumber * 10);
    }
    assert.equal(statistics.packetsReceived, 6);
    assert.equal(statistics.packetsLost, 2, '0 and 3 never came');
  });

  test('steady transit is no jitter; a late packet is', () => {
    const statistics = new RtpReceptionStatistics();
    for (let sequenceNumber = 0; sequenceNumber < 10; sequenceNumber++) {
      received(statistics, sequenceNumber, sequenceNumber * 10);
    }
    assert.equal(statistics.jitterSeconds, 0);
    received(statistics, 10, 116); // 16 ms late: 1/16 of it is added
    assert.ok(Math.abs(statistics.jitterSeconds - 0.001) < 1e-9, `${statistics.jitterSeconds}`);
  });
});

describe('the Kurento shape of W3C entries', () => {
  const timestamp = Date.now();
  const pem = [
    '-----BEGIN CERTIFICATE-----',
    Buffer.from([0x30, 0x82, 0x01, 0x02]).toString('base64'),
    '-----END CERTIFICATE-----',
    '',
  ].join('\n');
  const entries: TransportStatsEntry[] = [
    {
      id: 'T',
      type: 'transport',
      timestamp,
      bytesSent: 10,
      bytesReceived: 20,
      dtlsState: 'connecting',
      iceRole: 'controlling',
    },
    {
      id: 'L1',
      type: 'local-candidate',
      timestamp,
      address: '198.51.100.7',
      port: 4000,
      protocol: 'udp',
      candidateType: 'srflx',
      priority: 1_686_052_607,
    },
    {
      id: 'L2',
      type: 'local-candidate',
      timestamp,
      address: '10.0.0.2',
      port: 4001,
      protocol: 'udp',
      candidateType: 'relay',
      priority: 41_885_439,
    },
    {
      id: 'R1',
      type: 'remote-candidate',
      timestamp,
      address: '203.0.113.9',
      port: 5000,
      protocol: 'udp',
      candidateType: 'prflx',
      priority: 1_845_501_695,
    },
    {
      id: 'P1',
      type: 'candidate-pair',
      timestamp,
      localCandidateId: 'L1',
      remoteCandidateId: 'R1',
      state: 'in-progress',
      nominated: false,
      requestsReceived: 1,
    },
    {
      id: 'C1',
      type: 'certificate',
      timestamp,
      fingerprint: 'AA',
      fingerprintAlgorithm: 'sha-256',
      base64Certificate: Buffer.from(pem).toString('base64'),
    },
    { id: 'D1', type: 'data-channel', timestamp, label: 'chat', protocol: '', state: 'connecting' },
    {
      id: 'K1',
      type: 'codec',
      timestamp,
      payloadType: 111,
      mimeType: 'audio/opus',
      clockRate: 48000,
      channels: 2,
    },
    {
      id: 'K2',
      type: 'codec',
      timestamp,
      payloadType: 96,
      mimeType: 'video/VP8',
      clockRate: 90000,
    },
  ];
  const report = kurentoWebRtcStats(entries, {
    node: new MediaNode(),
    localSdp: undefined,
    remoteSdp: undefined,
    stunUrl: 'stun:192.0.2.1:3478',
    turnUrl: 'turn:192.0.2.2:3478?transport=udp',
    intervals: new StatsIntervals(),
    nowMs: performance.now(),
    timestampMillis: timestamp,
  });

  test('every entry has its kmd type and all of its fields', () => {
    for (const entry of Object.values(report)) assertKmdShape(entry);
  });

  test('candidates name the server that gave them, pairs their RFC 8445 priority', () => {
    assert.equal(report.L1?.candidateType, 'serverreflexive');
    assert.equal(report.L1?.addressSourceUrl, 'stun:192.0.2.1:3478');
    assert.equal(report.L2?.candidateType, 'relayed');
    assert.equal(report.L2?.addressSourceUrl, 'turn:192.0.2.2:3478?transport=udp');
    assert.equal(report.R1?.candidateType, 'peerreflexive');
    assert.equal(report.R1?.addressSourceUrl, '', "the peer's candidates name no server of ours");
    const pair = report.P1;
    assert.equal(pair?.state, 'inprogress');
    assert.equal(pair?.readable, true);
    assert.equal(pair?.writable, false);
    assert.equal(pair?.priority, 2 ** 32 * 1_686_052_607 + 2 * 1_845_501_695);
    assert.equal(report.T?.activeConnection, false, 'DTLS is not up yet');
    assert.equal(report.T?.rtcpTransportStatsId, '');
  });

  test('a certificate is base64 DER; a channel without an id says -1; codecs say their channels', () => {
    assert.equal(
      report.C1?.base64Certificate,
      Buffer.from([0x30, 0x82, 0x01, 0x02]).toString('base64'),
    );
    assert.equal(report.D1?.datachannelid, -1);
    assert.equal(report.K1?.channels, 2);
    assert.equal(report.K2?.channels, 0);
  });

  test('a media type leaves out the other media and keeps what is shared', () => {
    const video = kurentoWebRtcStats(
      entries,
      {
        node: new MediaNode(),
        localSdp: undefined,
        remoteSdp: undefined,
        stunUrl: undefined,
        turnUrl: undefined,
        intervals: new StatsIntervals(),
        nowMs: performance.now(),
        timestampMillis: timestamp,
      },
      'VIDEO',
    );
    assert.deepEqual(Object.keys(video).sort(), ['C1', 'K2', 'L1', 'L2', 'P1', 'R1', 'T']);
  });
});

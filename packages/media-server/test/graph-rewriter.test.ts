import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RtpStreamRewriter } from '../src/graph/index.js';

const CLOCK = 90000;

/** Feeds packets to a rewriter; returns [seq, ts] per packet, or null when dropped. */
function feed(
  rewriter: RtpStreamRewriter,
  packets: readonly { ssrc: number; sequenceNumber: number; timestamp: number; atMs?: number }[],
): ([number, number] | null)[] {
  return packets.map((packet) =>
    rewriter.rewrite(packet, CLOCK, packet.atMs ?? 0)
      ? [rewriter.sequenceNumber, rewriter.timestamp]
      : null,
  );
}

describe('RtpStreamRewriter', () => {
  test('passes the first stream through unchanged apart from its SSRC', () => {
    const rewriter = new RtpStreamRewriter(1234);
    const out = feed(rewriter, [
      { ssrc: 7, sequenceNumber: 100, timestamp: 5000 },
      { ssrc: 7, sequenceNumber: 101, timestamp: 8000 },
    ]);
    assert.deepEqual(out, [
      [100, 5000],
      [101, 8000],
    ]);
    assert.equal(rewriter.ssrc, 1234);
  });

  test('continues sequence numbers by one and timestamps by the elapsed time across a source switch', () => {
    const rewriter = new RtpStreamRewriter(1);
    feed(rewriter, [
      { ssrc: 10, sequenceNumber: 500, timestamp: 90_000, atMs: 0 },
      { ssrc: 10, sequenceNumber: 501, timestamp: 93_000, atMs: 33 },
    ]);
    rewriter.switchSource();
    const out = feed(rewriter, [
      { ssrc: 20, sequenceNumber: 40_000, timestamp: 7, atMs: 133 },
      { ssrc: 20, sequenceNumber: 40_001, timestamp: 3007, atMs: 166 },
    ]);
    // 100 ms after the last packet at 90 kHz is 9000 ticks.
    assert.deepEqual(out, [
      [502, 93_000 + 9000],
      [503, 93_000 + 9000 + 3000],
    ]);
  });

  test('treats a new SSRC from the same source as a switch (a restarted sender)', () => {
    const rewriter = new RtpStreamRewriter(1);
    feed(rewriter, [{ ssrc: 10, sequenceNumber: 9, timestamp: 1000, atMs: 0 }]);
    const out = feed(rewriter, [
      { ssrc: 11, sequenceNumber: 60_000, timestamp: 4_000_000, atMs: 0 },
    ]);
    assert.deepEqual(out, [[10, 1001]]);
  });

  test('keeps the output continuous when input sequence numbers wrap around', () => {
    const rewriter = new RtpStreamRewriter(1);
    feed(rewriter, [{ ssrc: 1, sequenceNumber: 1000, timestamp: 0 }]);
    rewriter.switchSource();
    const out = feed(rewriter, [
      { ssrc: 2, sequenceNumber: 65_534, timestamp: 0 },
      { ssrc: 2, sequenceNumber: 65_535, timestamp: 3000 },
      { ssrc: 2, sequenceNumber: 0, timestamp: 6000 },
      { ssrc: 2, sequenceNumber: 1, timestamp: 9000 },
    ]);
    assert.deepEqual(
      out.map((pair) => pair?.[0]),
      [1001, 1002, 1003, 1004],
    );
  });

  test('wraps output sequence numbers and timestamps modulo 2^16 and 2^32', () => {
    const rewriter = new RtpStreamRewriter(1);
    feed(rewriter, [{ ssrc: 1, sequenceNumber: 65_535, timestamp: 0xffff_fff0, atMs: 0 }]);
    rewriter.switchSource();
    const out = feed(rewriter, [
      { ssrc: 2, sequenceNumber: 300, timestamp: 50, atMs: 1 },
      { ssrc: 2, sequenceNumber: 301, timestamp: 60, atMs: 1 },
    ]);
    assert.deepEqual(out, [
      [0, (0xffff_fff0 + 90) >>> 0],
      [1, (0xffff_fff0 + 100) >>> 0],
    ]);
  });

  test('drops late packets from before a switch but keeps reordered packets after it', () => {
    const rewriter = new RtpStreamRewriter(1);
    feed(rewriter, [{ ssrc: 1, sequenceNumber: 10, timestamp: 0 }]);
    rewriter.switchSource();
    const out = feed(rewriter, [
      { ssrc: 2, sequenceNumber: 100, timestamp: 0 },
      { ssrc: 2, sequenceNumber: 102, timestamp: 0 },
      { ssrc: 2, sequenceNumber: 99, timestamp: 0 }, // sent before the switch point: dropped
      { ssrc: 2, sequenceNumber: 101, timestamp: 0 }, // reordered after it: kept in place
    ]);
    assert.deepEqual(
      out.map((pair) => pair?.[0] ?? null),
      [11, 13, null, 12],
    );
  });

  test('accepts every sequence number again once the stream ran far past a switch', () => {
    const rewriter = new RtpStreamRewriter(1);
    feed(rewriter, [{ ssrc: 1, sequenceNumber: 0, timestamp: 0 }]);
    rewriter.switchSource();
    const packets = [];
    for (let i = 0; i <= 40_000; i += 100)
      packets.push({ ssrc: 2, sequenceNumber: i % 65_536, timestamp: i });
    const out = feed(rewriter, packets);
    assert.ok(
      out.every((pair) => pair !== null),
      'a long-running stream must never be mistaken for late packets',
    );
  });
});

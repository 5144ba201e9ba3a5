import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RtcpPacketConverter } from 'werift';
import {
  MIN_REMB_BITRATE,
  REMB_INTERVAL_MS,
  RembScheduler,
  UNLIMITED_REMB_BITRATE,
} from '../src/transport/RembScheduler.js';
import { RtpPacketHistory } from '../src/transport/RtpPacketHistory.js';
import {
  createRemb,
  decodeRembBitrate,
  encodeRembBitrate,
  genericNackOf,
  nackedSequenceNumbers,
  rembOf,
} from '../src/transport/rtcpFeedback.js';

function sent(sequenceNumber: number) {
  return {
    sequenceNumber,
    timestamp: sequenceNumber * 3000,
    payloadType: 96,
    marker: false,
    payload: Buffer.from([sequenceNumber & 0xff]),
  };
}

/** An RTCP Generic NACK as a browser sends it: header, SSRCs, then PID + BLP pairs. */
function genericNackBytes(mediaSsrc: number, pairs: readonly [number, number][]): Buffer {
  const packet = Buffer.alloc(12 + 4 * pairs.length);
  packet.writeUInt8(0x80 | 1, 0); // V=2, FMT=1 (Generic NACK)
  packet.writeUInt8(205, 1); // RTPFB
  packet.writeUInt16BE(packet.length / 4 - 1, 2);
  packet.writeUInt32BE(0x1234, 4);
  packet.writeUInt32BE(mediaSsrc, 8);
  pairs.forEach(([pid, blp], index) => {
    packet.writeUInt16BE(pid, 12 + 4 * index);
    packet.writeUInt16BE(blp, 14 + 4 * index);
  });
  return packet;
}

describe('RtpPacketHistory', () => {
  test('returns a sent packet by its sequence number, across the 16-bit wrap', () => {
    const history = fixedHistory(8);
    for (const sequenceNumber of [65533, 65534, 65535, 0, 1]) history.store(sent(sequenceNumber));
    assert.equal(history.get(65535)?.timestamp, 65535 * 3000);
    assert.equal(history.get(0)?.payload[0], 0);
    assert.equal(history.get(2), undefined, 'never sent');
  });

  test('forgets a packet once its slot is reused by a later one', () => {
    const history = fixedHistory(4);
    for (let sequenceNumber = 100; sequenceNumber < 105; sequenceNumber++)
      history.store(sent(sequenceNumber));
    assert.equal(history.get(100), undefined);
    assert.equal(history.get(101)?.sequenceNumber, 101);
  });

  test('keeps payload type, marker and timestamp as stored, and the time a packet was resent', () => {
    const history = fixedHistory(4);
    const payload = Buffer.from([7]);
    history.store({
      sequenceNumber: 0,
      timestamp: 0xfffffff0,
      payloadType: 127,
      marker: true,
      payload,
    });
    history.store({ sequenceNumber: 1, timestamp: 1, payloadType: 96, marker: false, payload });
    assert.deepEqual(history.get(0), {
      sequenceNumber: 0,
      timestamp: 0xfffffff0,
      payloadType: 127,
      marker: true,
      payload,
      retransmittedAtMs: Number.NEGATIVE_INFINITY,
    });
    assert.equal(history.get(1)?.marker, false);
    history.markRetransmitted(1, 42);
    history.markRetransmitted(5, 43); // not kept: changes nothing
    assert.equal(history.get(1)?.retransmittedAtMs, 42);
    history.store({ sequenceNumber: 5, timestamp: 5, payloadType: 96, marker: false, payload });
    assert.equal(
      history.get(5)?.retransmittedAtMs,
      Number.NEGATIVE_INFINITY,
      'a new packet in the slot',
    );
    assert.equal(history.get(1), undefined);
  });

  test('an empty history answers nothing, sequence number 0 included', () => {
    assert.equal(fixedHistory(4).get(0), undefined);
  });

  test('refuses a size that is not a power of two', () => {
    assert.throws(() => new RtpPacketHistory({ maxPackets: 1000 }), RangeError);
    assert.throws(() => new RtpPacketHistory({ initialPackets: 2048 }), RangeError);
  });

  test('grows rather than overwrite a packet younger than the retention time', () => {
    const clock = new ManualClock();
    const history = growingHistory(clock);
    // 10 packets within 100 ms: 4 slots would lose 6 of them; the ring doubles twice to 16.
    for (let sequenceNumber = 65530; sequenceNumber < 65540; sequenceNumber++) {
      history.store(sent(sequenceNumber & 0xffff));
      clock.advance(5);
    }
    assert.equal(history.capacity, 16);
    for (let sequenceNumber = 65530; sequenceNumber < 65540; sequenceNumber++) {
      assert.equal(history.get(sequenceNumber & 0xffff)?.sequenceNumber, sequenceNumber & 0xffff);
    }
  });

  test('overwrites packets older than the retention time instead of growing', () => {
    const clock = new ManualClock();
    const history = growingHistory(clock);
    for (let sequenceNumber = 0; sequenceNumber < 12; sequenceNumber++) {
      history.store(sent(sequenceNumber));
      clock.advance(50); // two packets per retention window: 4 slots are enough
    }
    assert.equal(history.capacity, 4);
    assert.equal(history.get(7), undefined, 'overwritten once older than 100 ms');
    assert.equal(history.get(11)?.sequenceNumber, 11);
  });

  test('stops growing at maxPackets and then forgets the oldest', () => {
    const history = new RtpPacketHistory({ initialPackets: 2, maxPackets: 8, clock: () => 0 });
    for (let sequenceNumber = 0; sequenceNumber < 20; sequenceNumber++) {
      history.store(sent(sequenceNumber));
    }
    assert.equal(history.capacity, 8);
    assert.equal(history.get(11), undefined);
    assert.equal(history.get(12)?.sequenceNumber, 12);
  });

  test('a resend time survives the ring growing', () => {
    const history = new RtpPacketHistory({ initialPackets: 2, maxPackets: 4, clock: () => 0 });
    history.store(sent(0));
    history.markRetransmitted(0, 42);
    history.store(sent(1));
    history.store(sent(2));
    assert.equal(history.capacity, 4);
    assert.equal(history.get(0)?.retransmittedAtMs, 42);
  });
});

/** Milliseconds that pass only when a test says so. */
class ManualClock {
  nowMs = 0;
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

/** 4 slots growing up to 16, keeping 100 ms of packets by `clock`. */
function growingHistory(clock: ManualClock): RtpPacketHistory {
  return new RtpPacketHistory({
    initialPackets: 4,
    maxPackets: 16,
    retentionMs: 100,
    clock: () => clock.nowMs,
  });
}

/** A history of exactly `size` slots, as the first tests here expect. */
function fixedHistory(size: number): RtpPacketHistory {
  return new RtpPacketHistory({ initialPackets: size, maxPackets: size });
}

describe('RTCP feedback parsing', () => {
  test('a Generic NACK yields each lost sequence number once, wrapped at 65535', () => {
    // PID 65534 with bits 0, 1 and 3: 65535, 0 and 2; a second pair repeats 0.
    const [packet] = RtcpPacketConverter.deSerialize(
      genericNackBytes(0xabcdef, [
        [65534, 0b1011],
        [0, 0],
      ]),
    );
    assert.ok(packet);
    const nack = genericNackOf(packet);
    assert.ok(nack, 'recognised as a Generic NACK');
    assert.equal(nack.mediaSourceSsrc, 0xabcdef);
    assert.deepEqual(nackedSequenceNumbers(nack), [65534, 65535, 0, 2]);
  });

  test('REMB bitrates round down into an 18-bit mantissa and a 6-bit exponent', () => {
    assert.deepEqual(encodeRembBitrate(200_000), { exponent: 0, mantissa: 200_000 });
    assert.deepEqual(encodeRembBitrate(2_500_000), { exponent: 4, mantissa: 156_250 });
    const odd = encodeRembBitrate(1_000_001);
    assert.ok(odd.mantissa < 2 ** 18);
    assert.ok(decodeRembBitrate(odd) <= 1_000_001 && decodeRembBitrate(odd) > 999_990);
  });

  test('a REMB we build reads back, through the wire format, as the same estimate and SSRCs', () => {
    const bytes = createRemb(0x11, 1_234_567, [0x22, 0x33]).serialize();
    const [packet] = RtcpPacketConverter.deSerialize(bytes);
    assert.ok(packet);
    const remb = rembOf(packet);
    assert.deepEqual(remb?.ssrcs, [0x22, 0x33]);
    assert.equal(remb?.bitsPerSecond, decodeRembBitrate(encodeRembBitrate(1_234_567)));
  });
});

describe('RembScheduler', () => {
  function scheduler() {
    const sent: number[] = [];
    return { sent, remb: new RembScheduler((bitrate) => sent.push(bitrate)) };
  }

  test('announces the first estimate at once, then at most once per interval while it rises', () => {
    const { sent, remb } = scheduler();
    remb.update(1_000_000, 0);
    remb.update(1_100_000, 100);
    remb.update(1_200_000, REMB_INTERVAL_MS);
    assert.deepEqual(sent, [1_000_000, 1_200_000]);
  });

  test('announces a drop at once', () => {
    const { sent, remb } = scheduler();
    remb.update(1_000_000, 0);
    remb.update(990_000, 10); // within 3 %: waits
    remb.update(500_000, 20);
    assert.deepEqual(sent, [1_000_000, 500_000]);
  });

  test('never announces less than the floor', () => {
    const { sent, remb } = scheduler();
    remb.update(20_000, 0);
    assert.deepEqual(sent, [MIN_REMB_BITRATE]);
  });

  test('lifts its limit once when no subscriber reports any more, and is silent before any', () => {
    const { sent, remb } = scheduler();
    remb.update(undefined, 0);
    assert.deepEqual(sent, []);
    remb.update(700_000, 10);
    remb.update(undefined, 20);
    remb.update(undefined, 30);
    assert.deepEqual(sent, [700_000, UNLIMITED_REMB_BITRATE]);
    assert.equal(remb.announced, undefined);
  });
});

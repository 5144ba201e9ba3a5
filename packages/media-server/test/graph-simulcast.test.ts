import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  isVp8KeyframeStart,
  KEYFRAME_REQUEST_INTERVAL_MS,
  type MediaCodec,
  MediaNode,
  type MediaPacket,
} from '../src/graph/index.js';
import { chooseLayer, LayerBitrates } from '../src/graph/SimulcastLayers.js';

const VP8: MediaCodec = { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 };
const VP8_KEYFRAME = Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a]);
const VP8_INTERFRAME = Buffer.from([0x10, 0x01, 0x00]);

describe('simulcast layer choice', () => {
  test('without an estimate the highest active layer, with one the highest that fits', () => {
    assert.equal(chooseLayer([100_000, 300_000, 1_200_000], undefined, undefined), 2);
    assert.equal(chooseLayer([100_000, 300_000, 1_200_000], 500_000, undefined), 1);
    assert.equal(chooseLayer([100_000, 300_000, 1_200_000], 50_000, 1), 0, 'lowest when none fits');
    assert.equal(chooseLayer([100_000, 300_000, 0], 5_000_000, 0), 1, 'a silent layer is skipped');
    assert.equal(chooseLayer([], 1_000_000, undefined), undefined);
  });

  test('moving up needs headroom and moving down a clear shortfall, so a sink does not flap', () => {
    const layers = [100_000, 1_000_000];
    assert.equal(
      chooseLayer(layers, 1_050_000, 0),
      0,
      'an estimate just above the layer is not enough',
    );
    assert.equal(chooseLayer(layers, 1_250_000, 0), 1);
    assert.equal(chooseLayer(layers, 950_000, 1), 1, 'a small dip keeps the layer');
    assert.equal(chooseLayer(layers, 800_000, 1), 0);
  });

  test('layer bitrates are measured per window and smoothed; a silent layer reads 0', () => {
    const meter = new LayerBitrates(0);
    meter.count(0, 12_500, 100);
    meter.count(1, 50_000, 200);
    assert.deepEqual(meter.bitrates, [], 'nothing before a whole window');
    meter.count(0, 0, 1000);
    assert.deepEqual(meter.bitrates, [100_000, 400_000]);
    meter.count(0, 25_000, 2000);
    assert.deepEqual(meter.bitrates, [150_000, 0]);
  });
});

describe('a sink fed simulcast', () => {
  /** Sends both layers of a two-layer stream, keyframes on request, for `durationMs`. */
  class SimulcastPublisher {
    readonly node = new MediaNode({ name: 'simulcast publisher' });
    #sequenceNumbers = [100, 5000];
    #keyframeDue = [true, true];

    constructor() {
      this.node.source('VIDEO').onKeyframeRequest = () => {
        this.#keyframeDue = [true, true];
      };
    }

    send(layer: number, bytes: number): void {
      const keyframe = this.#keyframeDue[layer] === true;
      this.#keyframeDue[layer] = false;
      const sequenceNumber = this.#sequenceNumbers[layer] ?? 0;
      this.#sequenceNumbers[layer] = sequenceNumber + 1;
      const header = keyframe ? VP8_KEYFRAME : VP8_INTERFRAME;
      this.node.source('VIDEO').pushRtp({
        payloadType: 96,
        sequenceNumber,
        timestamp: sequenceNumber * 3000,
        ssrc: 1000 + layer,
        marker: true,
        payload: Buffer.concat([header, Buffer.alloc(bytes)]),
        codec: VP8,
        layer,
      });
    }

    async run(durationMs: number): Promise<void> {
      const end = performance.now() + durationMs;
      while (performance.now() < end) {
        this.send(0, 250); // about 60 kbit/s at 30 packets per second
        this.send(1, 1000); // about 250 kbit/s
        await sleep(33);
      }
    }
  }

  function subscriber() {
    const node = new MediaNode({ name: 'subscriber' });
    const received: MediaPacket[] = [];
    node.sink('VIDEO').onRtp = (packet) => received.push({ ...packet });
    return { node, received };
  }

  test('forwards one layer, picked from the estimate, and changes layer at a keyframe without a sequence gap', async () => {
    const publisher = new SimulcastPublisher();
    const slow = subscriber();
    const fast = subscriber();
    slow.node.sink('VIDEO').reportReceiverBitrate(100_000);
    publisher.node.connect(slow.node);
    publisher.node.connect(fast.node);
    await publisher.run(1500); // layer bitrates are known after a second
    assert.equal(slow.node.sink('VIDEO').layer, 0);
    assert.equal(fast.node.sink('VIDEO').layer, 1);
    const sizes = (packets: MediaPacket[]) =>
      new Set(packets.map((packet) => packet.payload.length));
    assert.ok(!sizes(slow.received).has(1000 + VP8_INTERFRAME.length), 'never the upper layer');

    const before = slow.received.length;
    slow.node.sink('VIDEO').reportReceiverBitrate(2_000_000);
    await publisher.run(KEYFRAME_REQUEST_INTERVAL_MS + 700);
    assert.equal(slow.node.sink('VIDEO').layer, 1, 'moved up once the estimate allowed');
    const after = slow.received.slice(before);
    const firstUpper = after.findIndex((packet) => packet.payload.length > 500);
    assert.ok(firstUpper >= 0);
    assert.ok(
      isVp8KeyframeStart(after[firstUpper]?.payload as Buffer),
      'the switch is at a keyframe',
    );
    const sequenceNumbers = slow.received.map((packet) => packet.sequenceNumber);
    sequenceNumbers.forEach((sequenceNumber, index) => {
      if (index > 0)
        assert.equal(sequenceNumber, ((sequenceNumbers[index - 1] as number) + 1) & 0xffff);
    });
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  HubPortNode,
  KEYFRAME_REQUEST_INTERVAL_MS,
  type MediaCodec,
  MediaNode,
  type MediaPacket,
  PassThroughNode,
  RECEIVER_BITRATE_LIFETIME_MS,
} from '../src/graph/index.js';

const VP8: MediaCodec = { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 };
const VP8_KEYFRAME = Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a]);
const VP8_INTERFRAME = Buffer.from([0x10, 0x01, 0x00]);

function videoPacket(ssrc: number, sequenceNumber: number, keyframe = false): MediaPacket {
  return {
    payloadType: 96,
    sequenceNumber,
    timestamp: sequenceNumber * 3000,
    ssrc,
    marker: true,
    payload: keyframe ? VP8_KEYFRAME : VP8_INTERFRAME,
    codec: VP8,
  };
}

/** A publisher node that counts the keyframe requests reaching it. */
class Publisher {
  readonly node: MediaNode;
  keyframeRequests = 0;
  #sequenceNumber: number;

  constructor(readonly ssrc: number) {
    this.node = new MediaNode({ name: `publisher ${ssrc}` });
    this.#sequenceNumber = 1000 * ssrc;
    this.node.source('VIDEO').onKeyframeRequest = () => this.keyframeRequests++;
  }

  send(keyframe = false): void {
    this.node.source('VIDEO').pushRtp(videoPacket(this.ssrc, this.#sequenceNumber++, keyframe));
  }
}

/** A subscriber node that keeps copies of what it would send to its peer. */
function subscriber() {
  const node = new MediaNode({ name: 'subscriber' });
  const received: MediaPacket[] = [];
  node.sink('VIDEO').onRtp = (packet) => received.push({ ...packet });
  return { node, received };
}

describe('HubPortNode routing', () => {
  test('a port sends out what enters the port it is fed from, to every element it feeds', () => {
    const a = new Publisher(1);
    const input = new HubPortNode();
    const output = new HubPortNode();
    const viewers = [subscriber(), subscriber()];
    a.node.connect(input);
    for (const viewer of viewers) output.connect(viewer.node);
    a.send(true);
    assert.equal(viewers[0]?.received.length, 0, 'an unrouted port sends nothing');
    output.sendFrom(input);
    a.send(true);
    a.send();
    for (const viewer of viewers) assert.equal(viewer.received.length, 2);
  });

  test('switching the input of a port keeps numbering continuous, resumes at a keyframe and asks the new input for one', async () => {
    const a = new Publisher(1);
    const b = new Publisher(2);
    const portA = new HubPortNode();
    const portB = new HubPortNode();
    const output = new HubPortNode();
    const viewer = subscriber();
    a.node.connect(portA);
    b.node.connect(portB);
    output.connect(viewer.node);
    output.sendFrom(portA);
    a.send(true);
    a.send();
    const requestsBefore = b.keyframeRequests;
    output.sendFrom(portB);
    b.send(); // not a keyframe: withheld
    a.send(); // no longer routed
    b.send(true);
    b.send();
    const sequenceNumbers = viewer.received.map((packet) => packet.sequenceNumber);
    const first = sequenceNumbers[0] as number;
    assert.deepEqual(sequenceNumbers, [first, first + 1, first + 2, first + 3]);
    assert.ok(viewer.received.every((packet) => packet.ssrc === viewer.received[0]?.ssrc));
    const timestamps = viewer.received.map((packet) => packet.timestamp);
    assert.ok((timestamps[2] as number) > (timestamps[1] as number), 'time moves forward');
    // Requests are merged per source pad: the one caused by the switch may wait out the interval.
    await sleep(KEYFRAME_REQUEST_INTERVAL_MS + 100);
    assert.ok(b.keyframeRequests > requestsBefore, 'the new input was asked for a keyframe');
  });

  test('a port fed from itself echoes its input (Kurento routes the source port too)', () => {
    const a = new Publisher(1);
    const port = new HubPortNode();
    a.node.connect(port);
    const echo = subscriber();
    port.connect(echo.node);
    port.sendFrom(port);
    a.send(true);
    assert.equal(echo.received.length, 1);
  });

  test('releasing an input port stops every port it fed, and a released port cannot be routed', () => {
    const a = new Publisher(1);
    const input = new HubPortNode();
    const output = new HubPortNode();
    a.node.connect(input);
    output.sendFrom(input);
    input.release();
    assert.equal(output.input, undefined);
    assert.throws(() => output.sendFrom(input), { code: 'NODE_RELEASED' });
  });
});

describe('receiver bitrate feedback', () => {
  test('a source learns the lowest estimate among its sinks, through a PassThrough too', () => {
    const a = new Publisher(1);
    const passThrough = new PassThroughNode();
    const fast = subscriber();
    const slow = subscriber();
    const heard: (number | undefined)[] = [];
    a.node.source('VIDEO').onReceiverBitrate = (bitrate) => heard.push(bitrate);
    a.node.connect(fast.node);
    a.node.connect(passThrough);
    passThrough.connect(slow.node);
    fast.node.sink('VIDEO').reportReceiverBitrate(2_000_000);
    slow.node.sink('VIDEO').reportReceiverBitrate(600_000);
    assert.equal(a.node.source('VIDEO').receiverBitrate(), 600_000);
    assert.equal(heard.at(-1), 600_000);
    passThrough.disconnect(slow.node);
    assert.equal(heard.at(-1), 2_000_000, 'the slow receiver leaving lifts the estimate');
  });

  test('estimates travel from the ports a hub input feeds back to its publisher', () => {
    const a = new Publisher(1);
    const input = new HubPortNode();
    const outputs = [new HubPortNode(), new HubPortNode()];
    const viewers = [subscriber(), subscriber()];
    a.node.connect(input);
    outputs.forEach((output, index) => {
      output.sendFrom(input);
      output.connect((viewers[index] as ReturnType<typeof subscriber>).node);
    });
    viewers[0]?.node.sink('VIDEO').reportReceiverBitrate(900_000);
    viewers[1]?.node.sink('VIDEO').reportReceiverBitrate(1_500_000);
    assert.equal(a.node.source('VIDEO').receiverBitrate(), 900_000);
    outputs[0]?.sendFrom(undefined);
    assert.equal(a.node.source('VIDEO').receiverBitrate(), 1_500_000);
  });

  test('an estimate nobody repeats is forgotten', () => {
    const a = new Publisher(1);
    const viewer = subscriber();
    a.node.connect(viewer.node);
    viewer.node.sink('VIDEO').reportReceiverBitrate(800_000);
    const later = performance.now() + RECEIVER_BITRATE_LIFETIME_MS + 1;
    assert.equal(a.node.source('VIDEO').receiverBitrate(later), undefined);
  });
});

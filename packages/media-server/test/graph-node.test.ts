import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ElementConnection,
  type MediaCodec,
  MediaGraphError,
  MediaNode,
  type MediaPacket,
  PassThroughNode,
} from '../src/graph/index.js';

const VP8_A: MediaCodec = { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 };
const VP8_B: MediaCodec = { mimeType: 'video/VP8', payloadType: 120, clockRate: 90000 };
const H264_B: MediaCodec = {
  mimeType: 'video/H264',
  payloadType: 102,
  clockRate: 90000,
  parameters: 'packetization-mode=1;profile-level-id=42e01f',
};
const OPUS: MediaCodec = {
  mimeType: 'audio/opus',
  payloadType: 111,
  clockRate: 48000,
  channels: 2,
};

const VP8_KEYFRAME = Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a]);
const VP8_INTERFRAME = Buffer.from([0x10, 0x01, 0x00]);

function videoPacket(sequenceNumber: number, payload = VP8_INTERFRAME, ssrc = 1111): MediaPacket {
  return {
    payloadType: 96,
    sequenceNumber,
    timestamp: sequenceNumber * 3000,
    ssrc,
    marker: true,
    payload,
    codec: VP8_A,
  };
}

/** Collects copies of what a sink pad delivers (the delivered object is reused). */
function collect(node: MediaNode, mediaType: 'AUDIO' | 'VIDEO' = 'VIDEO'): MediaPacket[] {
  const received: MediaPacket[] = [];
  node.sink(mediaType).onRtp = (packet) => received.push({ ...packet });
  return received;
}

describe('MediaNode links', () => {
  test('connect without a media type links audio, video and data, reported on both nodes', () => {
    const a = new MediaNode({ name: 'a' });
    const b = new MediaNode({ name: 'b' });
    const seenByA: ElementConnection[] = [];
    const seenByB: ElementConnection[] = [];
    a.on('elementconnected', (connection) => seenByA.push(connection));
    b.on('elementconnected', (connection) => seenByB.push(connection));
    a.connect(b);
    assert.deepEqual(
      seenByA.map((connection) => connection.mediaType),
      ['AUDIO', 'VIDEO', 'DATA'],
    );
    assert.equal(seenByB.length, 3);
    assert.deepEqual(
      b.getSourceConnections().map((connection) => [connection.source.name, connection.mediaType]),
      [
        ['a', 'AUDIO'],
        ['a', 'VIDEO'],
        ['a', 'DATA'],
      ],
    );
    assert.equal(a.getSinkConnections('VIDEO')[0]?.sink, b);
    assert.equal(a.getSourceConnections().length, 0);
  });

  test('a sink keeps one source per media type: a new connect replaces the old link', () => {
    const a = new MediaNode({ name: 'a' });
    const c = new MediaNode({ name: 'c' });
    const b = new MediaNode({ name: 'b' });
    const removed: ElementConnection[] = [];
    a.on('elementdisconnected', (connection) => removed.push(connection));
    a.connect(b);
    c.connect(b, 'VIDEO');
    assert.deepEqual(
      removed.map((connection) => connection.mediaType),
      ['VIDEO'],
    );
    assert.equal(b.getSourceConnections('VIDEO')[0]?.source, c);
    assert.equal(b.getSourceConnections('AUDIO')[0]?.source, a);
    assert.equal(a.getSinkConnections('VIDEO').length, 0);
  });

  test('connecting an existing link again changes nothing and reports nothing', () => {
    const a = new MediaNode();
    const b = new MediaNode();
    a.connect(b, 'AUDIO');
    let events = 0;
    a.on('elementconnected', () => events++);
    a.on('elementdisconnected', () => events++);
    a.connect(b, 'AUDIO');
    assert.equal(events, 0);
  });

  test('disconnect removes only the media type asked for, and ignores missing links', () => {
    const a = new MediaNode();
    const b = new MediaNode();
    a.connect(b);
    a.disconnect(b, 'AUDIO');
    b.disconnect(a);
    assert.deepEqual(
      b.getSourceConnections().map((connection) => connection.mediaType),
      ['VIDEO', 'DATA'],
    );
  });

  test('release removes every link on both sides and forbids new ones', () => {
    const a = new MediaNode();
    const b = new MediaNode();
    a.connect(b);
    b.connect(a);
    b.release();
    assert.equal(a.getSinkConnections().length, 0);
    assert.equal(a.getSourceConnections().length, 0);
    assert.throws(
      () => a.connect(b),
      (error: unknown) => error instanceof MediaGraphError && error.code === 'NODE_RELEASED',
    );
  });

  test('a node connected to itself is reported once per media type', () => {
    const node = new MediaNode();
    let events = 0;
    node.on('elementconnected', () => events++);
    node.connect(node);
    assert.equal(events, 3);
  });
});

describe('RTP along a link', () => {
  test('the sink sends with its own SSRC and the payload type its peer negotiated', () => {
    const a = new MediaNode();
    const b = new MediaNode();
    b.sink('VIDEO').setNegotiatedCodecs([H264_B, VP8_B]);
    const received = collect(b);
    a.connect(b);
    a.source('VIDEO').pushRtp(videoPacket(7, VP8_KEYFRAME));
    a.source('VIDEO').pushRtp(videoPacket(8));
    assert.equal(received.length, 2);
    assert.deepEqual(
      received.map((packet) => [packet.payloadType, packet.ssrc, packet.sequenceNumber]),
      [
        [120, b.sink('VIDEO').rewriter.ssrc, 7],
        [120, b.sink('VIDEO').rewriter.ssrc, 8],
      ],
    );
    assert.equal(received[0]?.codec, VP8_B);
  });

  test('media in a codec the sink did not negotiate is dropped and reported once', () => {
    const a = new MediaNode();
    const b = new MediaNode();
    b.sink('VIDEO').setNegotiatedCodecs([H264_B]);
    const received = collect(b);
    const errors: MediaGraphError[] = [];
    b.on('mediaerror', (error) => errors.push(error));
    a.connect(b);
    for (let seq = 0; seq < 5; seq++) a.source('VIDEO').pushRtp(videoPacket(seq, VP8_KEYFRAME));
    assert.equal(received.length, 0);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.code, 'CODEC_NOT_NEGOTIATED');
    assert.equal(errors[0]?.mediaType, 'VIDEO');
    assert.match(errors[0]?.message ?? '', /VP8.*H264/);
  });

  test('a sink that negotiated no codecs for a media type drops it silently', () => {
    const a = new MediaNode();
    const b = new MediaNode();
    b.sink('AUDIO').setNegotiatedCodecs([]);
    const received = collect(b, 'AUDIO');
    let errors = 0;
    b.on('mediaerror', () => errors++);
    a.connect(b);
    a.source('AUDIO').pushRtp({ ...videoPacket(1), codec: OPUS, payloadType: 111 });
    assert.equal(received.length + errors, 0);
  });

  test('after a switch, video resumes at the next keyframe with continuous sequence numbers', () => {
    const a = new MediaNode();
    const c = new MediaNode();
    const b = new MediaNode();
    const received = collect(b);
    let keyframeRequestsToC = 0;
    c.source('VIDEO').onKeyframeRequest = () => keyframeRequestsToC++;
    a.connect(b);
    a.source('VIDEO').pushRtp(videoPacket(100, VP8_KEYFRAME));
    a.source('VIDEO').pushRtp(videoPacket(101));
    c.connect(b);
    assert.equal(keyframeRequestsToC, 1, 'joining a new source asks it for a keyframe');
    c.source('VIDEO').pushRtp(videoPacket(5000, VP8_INTERFRAME, 2222));
    a.source('VIDEO').pushRtp(videoPacket(102));
    c.source('VIDEO').pushRtp(videoPacket(5001, VP8_KEYFRAME, 2222));
    c.source('VIDEO').pushRtp(videoPacket(5002, VP8_INTERFRAME, 2222));
    assert.deepEqual(
      received.map((packet) => packet.sequenceNumber),
      [100, 101, 102, 103],
    );
    assert.ok(received.every((packet) => packet.ssrc === b.sink('VIDEO').rewriter.ssrc));
  });

  test('keyframe requests from many sinks reach the source once, and a later one is delayed, not lost', async () => {
    const source = new MediaNode();
    let requests = 0;
    source.source('VIDEO').onKeyframeRequest = () => requests++;
    const sinks = [new MediaNode(), new MediaNode(), new MediaNode()];
    for (const sink of sinks) source.connect(sink, 'VIDEO');
    assert.equal(requests, 1);
    for (const sink of sinks) sink.sink('VIDEO').requestKeyframe();
    assert.equal(requests, 1);
    await sleep(700);
    assert.equal(requests, 2);
  });

  test('a PassThrough forwards media and passes keyframe requests upstream', () => {
    const a = new MediaNode();
    const passThrough = new PassThroughNode();
    const b = new MediaNode();
    b.sink('VIDEO').setNegotiatedCodecs([VP8_B]);
    const received = collect(b);
    let upstreamRequests = 0;
    a.source('VIDEO').onKeyframeRequest = () => upstreamRequests++;
    a.connect(passThrough);
    passThrough.connect(b);
    a.source('VIDEO').pushRtp(videoPacket(1, VP8_KEYFRAME));
    assert.equal(received.length, 1);
    assert.equal(received[0]?.payloadType, 120);
    assert.equal(upstreamRequests, 1);
  });

  test('data messages follow DATA links', () => {
    const a = new MediaNode();
    const b = new MediaNode();
    const messages: unknown[] = [];
    b.sink('DATA').onData = (message) => messages.push(message.data);
    a.connect(b, 'DATA');
    a.source('DATA').pushData({ label: 'chat', data: 'hello' });
    assert.deepEqual(messages, ['hello']);
  });
});

describe('media flow state', () => {
  test('reports FLOWING on the first packet and NOT_FLOWING after the timeout, on both sides', async () => {
    const a = new MediaNode({ flowTimeoutMs: 100 });
    const b = new MediaNode({ flowTimeoutMs: 100 });
    const states: string[] = [];
    a.on('mediaflowout', (change) => states.push(`a out ${change.mediaType} ${change.state}`));
    b.on('mediaflowin', (change) => states.push(`b in ${change.mediaType} ${change.state}`));
    a.connect(b);
    a.source('VIDEO').pushRtp(videoPacket(1, VP8_KEYFRAME));
    a.source('VIDEO').pushRtp(videoPacket(2));
    assert.deepEqual(states, ['a out VIDEO FLOWING', 'b in VIDEO FLOWING']);
    assert.equal(a.isMediaFlowingOut('VIDEO'), true);
    assert.equal(b.isMediaFlowingIn('VIDEO'), true);
    assert.equal(b.isMediaFlowingIn('AUDIO'), false);
    await sleep(1200);
    assert.deepEqual(states.slice(2).sort(), ['a out VIDEO NOT_FLOWING', 'b in VIDEO NOT_FLOWING']);
    assert.equal(b.isMediaFlowingIn('VIDEO'), false);
  });
});

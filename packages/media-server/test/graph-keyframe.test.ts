import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isKeyframeStart, type MediaCodec } from '../src/graph/index.js';

const VP8: MediaCodec = { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 };
const VP9: MediaCodec = { mimeType: 'video/VP9', payloadType: 98, clockRate: 90000 };
const H264: MediaCodec = { mimeType: 'video/H264', payloadType: 102, clockRate: 90000 };
const OPUS: MediaCodec = {
  mimeType: 'audio/opus',
  payloadType: 111,
  clockRate: 48000,
  channels: 2,
};

describe('isKeyframeStart', () => {
  test('recognises a VP8 key frame start, with and without the extended descriptor', () => {
    // S=1, PID=0; payload header byte with P=0 (key frame).
    assert.equal(isKeyframeStart(VP8, Buffer.from([0x10, 0x00])), true);
    // X=1, I=1 with a 15-bit picture id (M=1), then the payload header.
    assert.equal(isKeyframeStart(VP8, Buffer.from([0x90, 0x80, 0x81, 0x23, 0x00])), true);
  });

  test('rejects VP8 inter frames and continuation packets', () => {
    assert.equal(isKeyframeStart(VP8, Buffer.from([0x10, 0x01])), false, 'P=1 is an inter frame');
    assert.equal(
      isKeyframeStart(VP8, Buffer.from([0x00, 0x00])),
      false,
      'S=0 is not a frame start',
    );
    assert.equal(isKeyframeStart(VP8, Buffer.alloc(0)), false, 'padding has no frame');
  });

  test('recognises H.264 SPS in a STAP-A, an IDR fragment start, and rejects a P slice', () => {
    const stapA = Buffer.from([0x18, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce]);
    assert.equal(isKeyframeStart(H264, stapA), true);
    assert.equal(
      isKeyframeStart(H264, Buffer.from([0x7c, 0x85, 0x00])),
      true,
      'FU-A start of an IDR',
    );
    assert.equal(
      isKeyframeStart(H264, Buffer.from([0x7c, 0x05, 0x00])),
      false,
      'FU-A middle of an IDR',
    );
    assert.equal(isKeyframeStart(H264, Buffer.from([0x41, 0x9a])), false, 'non-IDR slice');
  });

  test('recognises a VP9 intra frame start and rejects predicted frames', () => {
    assert.equal(isKeyframeStart(VP9, Buffer.from([0x08])), true, 'B=1, P=0');
    assert.equal(isKeyframeStart(VP9, Buffer.from([0x48])), false, 'P=1');
  });

  test('says nothing for codecs it cannot inspect', () => {
    assert.equal(isKeyframeStart(OPUS, Buffer.from([1, 2, 3])), undefined);
  });
});

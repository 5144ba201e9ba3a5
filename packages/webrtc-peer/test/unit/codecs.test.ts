import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { preferCodecs } from '../../src/codecs.js';

// The order Chromium's RTCRtpReceiver.getCapabilities('video') lists them in.
const capabilities = [
  { mimeType: 'video/VP8', clockRate: 90000 },
  { mimeType: 'video/rtx', clockRate: 90000 },
  { mimeType: 'video/VP9', clockRate: 90000, sdpFmtpLine: 'profile-id=0' },
  { mimeType: 'video/H264', clockRate: 90000, sdpFmtpLine: 'profile-level-id=42e01f' },
  { mimeType: 'video/AV1', clockRate: 90000 },
  { mimeType: 'video/red', clockRate: 90000 },
];

const order = (codecs: Array<{ mimeType: string }>) => codecs.map((codec) => codec.mimeType);

describe('preferCodecs', () => {
  it('puts the preferred codecs first, in the order given', () => {
    assert.deepEqual(order(preferCodecs(capabilities, ['H264', 'video/vp9'])), [
      'video/H264',
      'video/VP9',
      'video/VP8',
      'video/rtx',
      'video/AV1',
      'video/red',
    ]);
  });

  it('keeps every codec, so RTX and RED stay negotiable', () => {
    assert.equal(preferCodecs(capabilities, ['AV1']).length, capabilities.length);
  });

  it('leaves the browser order alone for unknown names', () => {
    assert.deepEqual(order(preferCodecs(capabilities, ['video/H266'])), order(capabilities));
  });

  it('does not modify the array it was given', () => {
    const copy = [...capabilities];
    preferCodecs(capabilities, ['AV1']);
    assert.deepEqual(capabilities, copy);
  });
});

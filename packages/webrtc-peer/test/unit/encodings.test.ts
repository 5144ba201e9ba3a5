import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bestLayer, capEncodings, defaultSimulcastEncodings } from '../../src/encodings.js';

function parameters(encodings: RTCRtpEncodingParameters[]): RTCRtpSendParameters {
  return { transactionId: 't1', encodings, codecs: [], headerExtensions: [], rtcp: {} };
}

describe('defaultSimulcastEncodings', () => {
  it('describes three layers, lowest first, each with its own rid', () => {
    const layers = defaultSimulcastEncodings();
    assert.deepEqual(
      layers.map((layer) => [layer.rid, layer.scaleResolutionDownBy ?? 1]),
      [
        ['q', 4],
        ['h', 2],
        ['f', 1],
      ],
    );
  });
});

describe('capEncodings', () => {
  it('caps a single encoding', () => {
    const capped = capEncodings(parameters([{ active: true }]), 300_000);
    assert.deepEqual(capped.encodings, [{ active: true, maxBitrate: 300_000 }]);
    assert.equal(capped.transactionId, 't1');
  });

  it('gives a not yet negotiated sender one capped encoding', () => {
    assert.deepEqual(capEncodings(parameters([]), 100_000).encodings, [{ maxBitrate: 100_000 }]);
  });

  it('keeps the lower ceiling of a simulcast layer, and restores it when the cap rises', () => {
    const layers = defaultSimulcastEncodings();
    const capped = capEncodings(parameters(structuredClone(layers)), 400_000, layers);
    assert.deepEqual(
      capped.encodings.map((encoding) => encoding.maxBitrate),
      [150_000, 400_000, 400_000],
    );
    const lifted = capEncodings(capped, undefined, layers);
    assert.deepEqual(
      lifted.encodings.map((encoding) => encoding.maxBitrate),
      [150_000, 500_000, 1_500_000],
    );
  });

  it('removes the cap when none is configured', () => {
    const lifted = capEncodings(parameters([{ maxBitrate: 1 }]), undefined);
    assert.deepEqual(lifted.encodings, [{}]);
  });
});

describe('bestLayer', () => {
  it('picks the least scaled-down layer, whatever the order', () => {
    assert.equal(bestLayer(defaultSimulcastEncodings()).rid, 'f');
    assert.equal(bestLayer([...defaultSimulcastEncodings()].reverse()).rid, 'f');
  });

  it('treats a layer without scaleResolutionDownBy as full resolution', () => {
    assert.equal(bestLayer([{ rid: 'a', scaleResolutionDownBy: 2 }, { rid: 'b' }]).rid, 'b');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mediaError, negotiationFailed, WebRtcPeerError } from '../../src/errors.js';

// getUserMedia rejects with DOMExceptions; Node has the same DOMException class.
const rejection = (name: string, message = '') => new DOMException(message, name);

describe('mediaError', () => {
  it('maps each getUserMedia failure to a code and a message that says what to do', () => {
    const cases: Array<[string, WebRtcPeerError['code'], RegExp]> = [
      ['NotAllowedError', 'MEDIA_PERMISSION_DENIED', /Allow it in the browser/],
      ['SecurityError', 'MEDIA_PERMISSION_DENIED', /https or from localhost/],
      ['NotFoundError', 'DEVICE_NOT_FOUND', /Connect a device/],
      ['NotReadableError', 'DEVICE_IN_USE', /Close other applications/],
      ['OverconstrainedError', 'CONSTRAINTS_UNSATISFIABLE', /Relax mediaConstraints/],
      ['TypeError', 'MEDIA_UNSUPPORTED', /secure/],
    ];
    for (const [name, code, advice] of cases) {
      const error = mediaError(rejection(name), 'webcam');
      assert.ok(error instanceof WebRtcPeerError);
      assert.equal(error.code, code, name);
      assert.match(error.message, advice, name);
      assert.equal((error.cause as DOMException).name, name);
    }
  });

  it('names the screen when screen capture failed', () => {
    assert.match(mediaError(rejection('NotAllowedError'), 'screen').message, /screen capture/);
  });

  it('names the constraint that could not be satisfied', () => {
    const overconstrained = Object.assign(rejection('OverconstrainedError'), {
      constraint: 'deviceId',
    });
    assert.match(mediaError(overconstrained, 'webcam').message, /constraint "deviceId"/);
  });
});

describe('negotiationFailed', () => {
  it('wraps a browser error with what failed', () => {
    const error = negotiationFailed('Applying the SDP answer', rejection('OperationError', 'bad'));
    assert.equal(error.code, 'NEGOTIATION_FAILED');
    assert.match(error.message, /^Applying the SDP answer failed: bad\./);
  });

  it('passes our own errors through unchanged', () => {
    const ours = new WebRtcPeerError('INVALID_STATE', 'x');
    assert.equal(negotiationFailed('anything', ours), ours);
  });
});

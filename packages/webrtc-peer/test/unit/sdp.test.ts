import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WebRtcPeerError } from '../../src/errors.js';
import { mediaSections, parseRemoteSdp } from '../../src/sdp.js';

// Shaped like Chromium's offers: bundled audio + video, credentials per m= section.
const offer = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:AbCd',
  'a=ice-pwd:0123456789012345678901',
  'a=fingerprint:sha-256 7B:8B:F0:65:5F:78:E2:51:3B:AC:6F:F3:3F:46:1B:35:DC:B8:5F:64:1A:24:C2:43:F0:A1:58:D0:A1:2C:19:08',
  'a=setup:actpass',
  'a=mid:0',
  'a=sendrecv',
  'a=rtpmap:111 opus/48000/2',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:AbCd',
  'a=ice-pwd:0123456789012345678901',
  'a=setup:actpass',
  'a=mid:1',
  'a=recvonly',
  'a=rtpmap:96 VP8/90000',
  '',
].join('\r\n');

function expectNegotiationError(run: () => unknown, pattern: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof WebRtcPeerError);
    assert.equal(error.code, 'NEGOTIATION_FAILED');
    assert.match(error.message, pattern);
    return true;
  });
}

describe('parseRemoteSdp', () => {
  it('accepts a well-formed offer', () => {
    assert.equal(parseRemoteSdp(offer, 'offer').media.length, 2);
  });

  it('accepts an answer with as many m= sections as our offer', () => {
    const answer = offer.replace('a=setup:actpass', 'a=setup:active');
    assert.equal(parseRemoteSdp(answer, 'answer', offer).media.length, 2);
  });

  it('rejects a description object passed where its SDP text belongs', () => {
    expectNegotiationError(
      () => parseRemoteSdp({ type: 'answer', sdp: offer }, 'answer'),
      /object with an sdp field \(pass \.sdp\)/,
    );
  });

  it('rejects empty and non-SDP text, saying what to pass instead', () => {
    expectNegotiationError(() => parseRemoteSdp('', 'answer'), /non-empty string.*sdpAnswer/);
    expectNegotiationError(() => parseRemoteSdp('<html>502</html>', 'offer'), /v=0.*sdpOffer/);
  });

  it('rejects SDP without m= sections or without ICE credentials', () => {
    expectNegotiationError(
      () => parseRemoteSdp('v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n', 'offer'),
      /no m= section/,
    );
    expectNegotiationError(
      () => parseRemoteSdp(offer.replaceAll(/a=ice-ufrag:.*\r\n/g, ''), 'offer'),
      /m= section 0 \(audio\) has no a=ice-ufrag/,
    );
  });

  it('rejects an answer that does not answer every offered m= section', () => {
    const audioOnly = offer.slice(0, offer.indexOf('m=video'));
    expectNegotiationError(
      () => parseRemoteSdp(audioOnly, 'answer', offer),
      /1 m= sections but the offer has 2/,
    );
  });

  it('accepts a rejected m= section (port 0) without ICE credentials', () => {
    const rejected = offer
      .replace('m=video 9', 'm=video 0')
      .replace(/(m=video[\s\S]*?)a=ice-ufrag:AbCd\r\n/, '$1');
    assert.equal(parseRemoteSdp(rejected, 'answer', offer).media.length, 2);
  });
});

describe('mediaSections', () => {
  it('reads mid, kind, direction and ICE ufrag of each m= section', () => {
    assert.deepEqual(mediaSections(offer), [
      { mid: '0', kind: 'audio', direction: 'sendrecv', iceUfrag: 'AbCd' },
      { mid: '1', kind: 'video', direction: 'recvonly', iceUfrag: 'AbCd' },
    ]);
  });

  it('reports a rejected m= section as inactive', () => {
    const [, video] = mediaSections(offer.replace('m=video 9', 'm=video 0'));
    assert.equal(video?.direction, 'inactive');
  });
});

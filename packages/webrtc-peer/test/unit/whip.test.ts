import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { iceServersFromLinks } from '../../src/whip/iceServerLinks.js';
import { candidateFragment, restartedAnswer } from '../../src/whip/sdpFragment.js';
import { refusal, WhipError } from '../../src/whip/WhipError.js';

// Shaped like Chromium's offers: bundled audio + video, credentials per m= section.
const localOffer = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:AbCd',
  'a=ice-pwd:0123456789012345678901',
  'a=mid:0',
  'a=sendonly',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:AbCd',
  'a=ice-pwd:0123456789012345678901',
  'a=mid:1',
  'a=sendonly',
  '',
].join('\r\n');

const hostCandidate = 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0';

describe('candidateFragment', () => {
  it('writes the credentials, the section of the candidates and end-of-candidates (RFC 8840)', () => {
    assert.equal(
      candidateFragment(localOffer, [{ candidate: hostCandidate, sdpMid: '0' }, null]),
      [
        'a=ice-ufrag:AbCd',
        'a=ice-pwd:0123456789012345678901',
        'm=audio 9 UDP/TLS/RTP/SAVPF 111',
        'a=mid:0',
        `a=${hostCandidate}`,
        'a=end-of-candidates',
        '',
      ].join('\r\n'),
    );
  });

  it('groups candidates by their section, and names the first section when there are none', () => {
    const fragment = candidateFragment(localOffer, [{ candidate: hostCandidate, sdpMid: '1' }]);
    assert.match(fragment, /m=video 9 UDP\/TLS\/RTP\/SAVPF 96\r\na=mid:1\r\na=candidate:1 /);
    assert.doesNotMatch(fragment, /m=audio/);
    assert.equal(
      candidateFragment(localOffer, []),
      'a=ice-ufrag:AbCd\r\na=ice-pwd:0123456789012345678901\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\n',
    );
  });
});

describe('restartedAnswer', () => {
  it("takes the server's new credentials and candidates, dropping the old candidates", () => {
    const remote = localOffer
      .replace(/a=sendonly/g, 'a=recvonly')
      .replace('a=mid:0\r\n', `a=mid:0\r\na=candidate:9 1 udp 1 127.0.0.1 40000 typ host\r\n`);
    const { sdp, candidates } = restartedAnswer(
      remote,
      `a=ice-ufrag:NewU\r\na=ice-pwd:NewPasswordNewPassword\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=${hostCandidate}\r\na=end-of-candidates\r\n`,
    );
    assert.equal(sdp.match(/a=ice-ufrag:NewU\r\n/g)?.length, 2);
    assert.equal(sdp.match(/a=ice-pwd:NewPasswordNewPassword\r\n/g)?.length, 2);
    assert.doesNotMatch(sdp, /a=candidate|AbCd/);
    assert.deepEqual(candidates, [{ candidate: hostCandidate, sdpMid: '0' }]);
  });
});

describe('iceServersFromLinks', () => {
  it('reads STUN and TURN servers of rel="ice-server" links, TURN with its credentials', () => {
    assert.deepEqual(
      iceServersFromLinks(
        '<stun:stun.example.net:3478>; rel="ice-server", <https://example.net/doc>; rel="help", ' +
          '<turn:turn.example.net:3478?transport=udp>; rel="ice-server"; username="user"; credential="pw"; credential-type="password"',
      ),
      [
        { urls: 'stun:stun.example.net:3478' },
        { urls: 'turn:turn.example.net:3478?transport=udp', username: 'user', credential: 'pw' },
      ],
    );
    assert.deepEqual(iceServersFromLinks(null), []);
  });
});

describe('refusal', () => {
  const refused = (status: number, body: string, headers: Record<string, string> = {}) =>
    refusal(new Response(body, { status, headers }));

  it('gives each refusal status its code, with what to do and the server’s own words', async () => {
    const expected: Array<[number, WhipError['code']]> = [
      [400, 'BAD_REQUEST'],
      [401, 'UNAUTHORIZED'],
      [403, 'FORBIDDEN'],
      [404, 'NOT_FOUND'],
      [409, 'CONFLICT'],
      [415, 'BAD_REQUEST'],
      [422, 'UNPROCESSABLE'],
      [500, 'SERVER_ERROR'],
      [418, 'HTTP_ERROR'],
    ];
    for (const [status, code] of expected) {
      const error = await refused(status, 'what the server says\n');
      assert.ok(error instanceof WhipError);
      assert.equal(error.code, code, `status ${status}`);
      assert.equal(error.status, status);
      assert.equal(error.serverMessage, 'what the server says');
      assert.match(error.message, /\. Server: what the server says$/);
    }
    assert.match((await refused(401, '')).message, /pass the right one as `token`.*HTTP 401/);
  });

  it('reads Retry-After of a 503 or 429, in seconds or as a date', async () => {
    const busy = await refused(503, 'busy', { 'Retry-After': '5' });
    assert.equal(busy.code, 'UNAVAILABLE');
    assert.equal(busy.retryAfterSeconds, 5);
    assert.match(busy.message, /retry later \(in 5 s\)/);
    const date = new Date(Date.now() + 60_000).toUTCString();
    const throttled = await refused(429, 'slow down', { 'Retry-After': date });
    assert.equal(throttled.code, 'UNAVAILABLE');
    assert.ok((throttled.retryAfterSeconds ?? 0) > 50 && (throttled.retryAfterSeconds ?? 0) <= 60);
    assert.equal((await refused(503, 'busy')).retryAfterSeconds, undefined);
  });
});

// A werift client reaches a WebRtcTransport (the media server's side of a WebRtcEndpoint)
// through a UDP proxy that drops chosen DTLS datagrams either way, or replays a stale one: the
// handshake must still complete and media flow both ways (RFC 6347 §4.2.4: a lost flight is
// retransmitted). werift recovers the server's lost flights 2, 4 and 6 by itself; before
// dtlsHandshakeRecovery, each loss in the client's flight 5 and the stale ClientHello left the
// set-up stuck for good.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MediaStreamTrack, RTCPeerConnection, RtpHeader, RtpPacket } from 'werift';
import { WebRtcTransport } from '../src/transport/index.js';
import { createPeerConfig, disableImplicitStun } from '../src/transport/peerConfig.js';
import { type DtlsRecordSummary, dtlsRecordsOf } from './support/dtlsRecords.js';
import { type DropRule, LossyUdpProxy, type ProxyDirection } from './support/LossyUdpProxy.js';
import { BrowserHarness, BrowserPeer, LOOPBACK } from './transport-harness.js';

const CLIENT_HELLO = 1;
const SERVER_HELLO = 2;
const HELLO_VERIFY_REQUEST = 3;
const CERTIFICATE = 11;
const SERVER_KEY_EXCHANGE = 12;
const CERTIFICATE_VERIFY = 15;
const CLIENT_KEY_EXCHANGE = 16;
const CHANGE_CIPHER_SPEC = 20;
const HANDSHAKE = 22;
const OPUS_PAYLOAD_TYPE = 111;
/**
 * A handshake that has not completed by then never will: werift retransmits for ~27 s at most.
 * A liveness bound, not a timing assertion (a recovered handshake takes a few seconds).
 */
const HANDSHAKE_TIMEOUT_MS = 60_000;

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A drop rule that counts what it dropped. */
interface CountedDrops {
  readonly rule: DropRule;
  dropped(): number;
}

/** Drops the first `count` DTLS datagrams going `direction` with a record that `matches`. */
function dropFirst(
  direction: ProxyDirection,
  matches: (record: DtlsRecordSummary) => boolean,
  count: number,
): CountedDrops {
  let dropped = 0;
  const rule: DropRule = (datagram, going) => {
    if (going !== direction || dropped >= count) return false;
    const drop = dtlsRecordsOf(datagram).some(matches);
    if (drop) dropped++;
    return drop;
  };
  return { rule, dropped: () => dropped };
}

const handshakeOf =
  (...types: number[]) =>
  (record: DtlsRecordSummary) =>
    record.handshakeType !== undefined && types.includes(record.handshakeType);

/** The server's flight 6: its ChangeCipherSpec and its (encrypted) Finished. */
const finalFlight = (record: DtlsRecordSummary) =>
  record.contentType === CHANGE_CIPHER_SPEC ||
  (record.contentType === HANDSHAKE && record.epoch > 0);

/** The server's host candidate on 127.0.0.1: the port the proxy forwards to. */
function serverPortOf(answer: string): number {
  const match = /^a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 (\d+) typ host/m.exec(answer);
  assert.ok(match, `no 127.0.0.1 host candidate in the answer:\n${answer}`);
  return Number(match[1]);
}

/** `sdp` with one host candidate only, on 127.0.0.1 at `port`, in each media section. */
function withOnlyCandidate(sdp: string, port: number): string {
  const candidate = `a=candidate:1 1 udp 2130706431 127.0.0.1 ${port} typ host`;
  return sdp
    .split('\r\n')
    .filter((line) => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates')
    .flatMap((line) => (line.startsWith('a=ice-pwd:') ? [line, candidate] : [line]))
    .join('\r\n');
}

function opusPacket(sequenceNumber: number): RtpPacket {
  return new RtpPacket(
    new RtpHeader({
      payloadType: OPUS_PAYLOAD_TYPE,
      sequenceNumber,
      timestamp: sequenceNumber * 960,
      ssrc: 0x0badcafe,
      marker: false,
    }),
    Buffer.from([0xfc, 0xff, 0xfe, sequenceNumber & 0xff]),
  );
}

/**
 * Connects a werift client (the offerer, DTLS client) to a looping-back server transport
 * through a proxy whose `rule` drops datagrams, then sends Opus RTP until some comes back: the
 * server decrypted it and the client decrypted what the server sent.
 */
async function connectThroughProxy(
  rule: (proxy: LossyUdpProxy) => DropRule,
): Promise<{ echoed: number }> {
  const server = new WebRtcTransport({ ...LOOPBACK });
  cleanups.push(() => server.close());
  server.node.connect(server.node);
  const client = new RTCPeerConnection(createPeerConfig(LOOPBACK));
  cleanups.push(() => client.close());
  const track = new MediaStreamTrack({ kind: 'audio' });
  const transceiver = client.addTransceiver(track, { direction: 'sendrecv' });
  let echoed = 0;
  const firstEcho = new Promise<void>((resolve) => {
    transceiver.onTrack.subscribe((remote) => {
      remote.onReceiveRtp.subscribe(() => {
        echoed++;
        resolve();
      });
    });
  });
  const proxy = await LossyUdpProxy.start(rule);
  cleanups.push(() => proxy.close());
  disableImplicitStun(client, []);
  await client.setLocalDescription(await client.createOffer());
  const offer = client.localDescription?.sdp ?? '';
  const answer = await server.processOffer(withOnlyCandidate(offer, proxy.serverFacingPort));
  proxy.server = { address: '127.0.0.1', port: serverPortOf(answer) };
  await client.setRemoteDescription({
    type: 'answer',
    sdp: withOnlyCandidate(answer, proxy.clientFacingPort),
  });
  let sequenceNumber = 0;
  const sending = setInterval(() => {
    if (client.connectionState === 'connected') track.writeRtp(opusPacket(sequenceNumber++));
  }, 20);
  try {
    await firstEcho;
  } finally {
    clearInterval(sending);
  }
  return { echoed };
}

/**
 * A copy of the client's first ClientHello (the one without a cookie) reaches the server again
 * once the server has sent flight 4, as a delayed duplicate would; the server's answer to it (a
 * HelloVerifyRequest) is dropped, as a client past that stage ignores it.
 */
function staleFirstClientHello(proxy: LossyUdpProxy): DropRule {
  let firstClientHello: Buffer | undefined;
  let injected = false;
  return (datagram, direction) => {
    const records = dtlsRecordsOf(datagram);
    if (direction === 'toServer' && !firstClientHello && records.some(handshakeOf(CLIENT_HELLO)))
      firstClientHello = Buffer.from(datagram);
    if (direction !== 'toClient') return false;
    if (!injected && firstClientHello && records.some(handshakeOf(SERVER_HELLO))) {
      injected = true;
      proxy.sendToServer(firstClientHello);
    }
    return injected && records.some(handshakeOf(HELLO_VERIFY_REQUEST));
  };
}

describe('DTLS flights lost on the way are recovered', () => {
  const cases: [string, () => CountedDrops, number][] = [
    [
      "the server's flight 6 (ChangeCipherSpec, Finished), twice",
      () => dropFirst('toClient', finalFlight, 4),
      4,
    ],
    [
      "the server's Certificate and ServerKeyExchange (flight 4), twice",
      () => dropFirst('toClient', handshakeOf(CERTIFICATE, SERVER_KEY_EXCHANGE), 4),
      4,
    ],
    [
      "the server's HelloVerifyRequest (flight 2)",
      () => dropFirst('toClient', handshakeOf(HELLO_VERIFY_REQUEST), 1),
      1,
    ],
    [
      "the client's Certificate (flight 5)",
      () => dropFirst('toServer', handshakeOf(CERTIFICATE), 1),
      1,
    ],
    [
      "the client's CertificateVerify (flight 5)",
      () => dropFirst('toServer', handshakeOf(CERTIFICATE_VERIFY), 1),
      1,
    ],
    [
      "the client's ChangeCipherSpec and Finished (flight 5)",
      () => dropFirst('toServer', finalFlight, 2),
      2,
    ],
    [
      "the client's ClientKeyExchange (flight 5)",
      () => dropFirst('toServer', handshakeOf(CLIENT_KEY_EXCHANGE), 1),
      1,
    ],
  ];
  for (const [lost, drops, expected] of cases) {
    test(`lost: ${lost}`, { timeout: HANDSHAKE_TIMEOUT_MS }, async () => {
      const counted = drops();
      const { echoed } = await connectThroughProxy(() => counted.rule);
      assert.equal(counted.dropped(), expected);
      assert.ok(echoed > 0);
    });
  }

  test('a stale copy of the first ClientHello after flight 4', {
    timeout: HANDSHAKE_TIMEOUT_MS,
  }, async () => {
    const { echoed } = await connectThroughProxy(staleFirstClientHello);
    assert.ok(echoed > 0);
  });
});

/**
 * The same with Chromium, the real client, offering audio and video (its camera's frames come
 * back decoded). Chromium sends its flight 5 in one datagram, so it is lost whole and
 * retransmitted whole: werift recovered all three cases before dtlsHandshakeRecovery too; they
 * guard the path browsers take.
 */
describe('Chromium through the lossy proxy', () => {
  const harness = new BrowserHarness();
  before(() => harness.start());
  after(() => harness.stop());

  async function chromiumThroughProxy(rule: DropRule): Promise<void> {
    const server = new WebRtcTransport({ ...LOOPBACK });
    cleanups.push(() => server.close());
    server.node.connect(server.node);
    const page = await harness.newPage();
    const peer = await BrowserPeer.create(page, 'peer', {});
    const proxy = await LossyUdpProxy.start(() => rule);
    cleanups.push(() => proxy.close());
    const offer = await page.evaluate((id) => window.createOffer(id), peer.id);
    const answer = await server.processOffer(withOnlyCandidate(offer, proxy.serverFacingPort));
    proxy.server = { address: '127.0.0.1', port: serverPortOf(answer) };
    await page.evaluate(([id, sdp]) => window.acceptAnswer(id, sdp), [
      peer.id,
      withOnlyCandidate(answer, proxy.clientFacingPort),
    ] as const);
    await peer.waitForStats(
      (stats) => stats.framesDecoded > 0 && stats.audioPacketsReceived > 0,
      HANDSHAKE_TIMEOUT_MS,
    );
    await page.close();
  }

  test("lost: the server's flight 6, twice", { timeout: HANDSHAKE_TIMEOUT_MS * 2 }, async () => {
    const drops = dropFirst('toClient', finalFlight, 4);
    await chromiumThroughProxy(drops.rule);
    assert.equal(drops.dropped(), 4);
  });

  test("lost: the server's Certificate and ServerKeyExchange, twice", {
    timeout: HANDSHAKE_TIMEOUT_MS * 2,
  }, async () => {
    const drops = dropFirst('toClient', handshakeOf(CERTIFICATE, SERVER_KEY_EXCHANGE), 4);
    await chromiumThroughProxy(drops.rule);
    assert.equal(drops.dropped(), 4);
  });

  test("lost: the client's flight 5", { timeout: HANDSHAKE_TIMEOUT_MS * 2 }, async () => {
    const drops = dropFirst('toServer', handshakeOf(CLIENT_KEY_EXCHANGE), 1);
    await chromiumThroughProxy(drops.rule);
    assert.equal(drops.dropped(), 1);
  });
});

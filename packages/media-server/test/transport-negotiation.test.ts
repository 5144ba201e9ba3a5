// The transport without a browser: two transports negotiate with each other (werift on both
// sides), and every kind of bad input is refused with a typed error.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import dns from 'node:dns';
import { isIP } from 'node:net';
import { after, describe, mock, test } from 'node:test';
import { type MediaCodec, MediaNode, type MediaPacket } from '../src/graph/index.js';
import {
  type IceCandidate,
  WebRtcTransport,
  WebRtcTransportError,
  type WebRtcTransportErrorCode,
  type WebRtcTransportOptions,
} from '../src/transport/index.js';
import { LOOPBACK } from './transport-harness.js';

const VP8: MediaCodec = { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 };

const transports: WebRtcTransport[] = [];
function newTransport(options: WebRtcTransportOptions = {}): WebRtcTransport {
  const transport = new WebRtcTransport({ ...LOOPBACK, ...options });
  transports.push(transport);
  return transport;
}
after(() => Promise.all(transports.map((transport) => transport.close())));

function rejectsWith(code: WebRtcTransportErrorCode, kurentoCode?: number) {
  return (error: unknown) => {
    assert.ok(
      error instanceof WebRtcTransportError,
      `expected a WebRtcTransportError, got ${String(error)}`,
    );
    assert.equal(error.code, code, error.message);
    if (kurentoCode !== undefined) assert.equal(error.kurentoCode, kurentoCode);
    return true;
  };
}

function candidatesOf(transport: WebRtcTransport): IceCandidate[] {
  const candidates: IceCandidate[] = [];
  transport.on('icecandidate', (candidate) => candidates.push(candidate));
  return candidates;
}

/** Negotiates `offerer` (generateOffer) with `answerer` (processOffer) and trickles candidates. */
async function negotiate(offerer: WebRtcTransport, answerer: WebRtcTransport): Promise<void> {
  const offererCandidates = candidatesOf(offerer);
  const answererCandidates = candidatesOf(answerer);
  const answer = await answerer.processOffer(await offerer.generateOffer());
  await offerer.processAnswer(answer);
  await offerer.gatherCandidates();
  await answerer.gatherCandidates();
  for (const candidate of offererCandidates) await answerer.addIceCandidate(candidate);
  for (const candidate of answererCandidates) await offerer.addIceCandidate(candidate);
}

function connected(transport: WebRtcTransport): Promise<void> {
  return new Promise((resolve) => {
    if (transport.connectionState === 'CONNECTED') resolve();
    transport.on('connectionstatechange', (change) => change.newState === 'CONNECTED' && resolve());
  });
}

function localPorts(transport: WebRtcTransport): number[] {
  const sdp = transport.getLocalSessionDescriptor() ?? '';
  return [...sdp.matchAll(/a=candidate:\S+ 1 udp \d+ \S+ (\d+) typ/g)].map((match) =>
    Number(match[1]),
  );
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

describe('WebRtcTransport negotiation between two servers', () => {
  test('RTP linked into one transport comes out of the other transport’s source', async () => {
    const sender = newTransport();
    const receiver = newTransport();
    const producer = new MediaNode({ name: 'producer' });
    const consumer = new MediaNode({ name: 'consumer' });
    producer.connect(sender.node, 'VIDEO');
    receiver.node.connect(consumer, 'VIDEO');
    const received: MediaPacket[] = [];
    consumer.sink('VIDEO').onRtp = (packet) => received.push({ ...packet });
    await negotiate(sender, receiver);
    await Promise.all([connected(sender), connected(receiver)]);
    const payload = Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a, 0xaa, 0xbb]);
    for (let sequenceNumber = 1; received.length === 0 && sequenceNumber < 100; sequenceNumber++) {
      const packet = {
        payloadType: 96,
        sequenceNumber,
        timestamp: sequenceNumber * 3000,
        ssrc: 42,
        marker: true,
      };
      producer.source('VIDEO').pushRtp({ ...packet, payload, codec: VP8 });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(received.length > 0, 'no packet crossed the connection');
    assert.deepEqual(received[0]?.payload, payload);
    assert.equal(received[0]?.codec.mimeType.toLowerCase(), 'video/vp8');
  });

  test('a throwing listener is reported as a warning and the transport keeps working', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const sender = newTransport();
      const receiver = newTransport();
      receiver.on('connectionstatechange', () => {
        throw new Error('listener bug');
      });
      receiver.node.on('mediaflowout', () => {
        throw new Error('flow listener bug');
      });
      const producer = new MediaNode();
      producer.connect(sender.node, 'AUDIO');
      let delivered = 0;
      const consumer = new MediaNode();
      receiver.node.connect(consumer, 'AUDIO');
      consumer.sink('AUDIO').onRtp = () => delivered++;
      await negotiate(sender, receiver);
      await connected(sender);
      const opus: MediaCodec = {
        mimeType: 'audio/opus',
        payloadType: 111,
        clockRate: 48000,
        channels: 2,
      };
      for (let sequenceNumber = 1; delivered < 3 && sequenceNumber < 200; sequenceNumber++) {
        const header = {
          payloadType: 111,
          sequenceNumber,
          timestamp: sequenceNumber * 960,
          ssrc: 9,
          marker: false,
        };
        producer
          .source('AUDIO')
          .pushRtp({ ...header, payload: Buffer.from([0xf8, 0xff, 0xfe]), codec: opus });
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.ok(delivered >= 3, 'media stopped after a listener threw');
      assert.ok(
        warnings.some((message) => message.includes('listener bug')),
        warnings.join('\n'),
      );
    } finally {
      process.off('warning', onWarning);
    }
  });

  test('candidates are emitted once each, then gathering done, and name their m-line', async () => {
    const offerer = newTransport();
    const events: string[] = [];
    offerer.on('icecandidate', (candidate) =>
      events.push(`${candidate.sdpMid}:${candidate.candidate.split(' ')[4]}`),
    );
    offerer.on('icegatheringdone', () => events.push('done'));
    await offerer.generateOffer();
    await offerer.gatherCandidates();
    await offerer.gatherCandidates();
    assert.deepEqual(events, ['0:127.0.0.1', 'done']);
  });

  test('contacts no STUN server when none is configured (no DNS look-up while gathering)', async () => {
    // werift resolves STUN hosts with dns.promises.lookup; dgram uses dns.lookup.
    const lookups = [mock.method(dns, 'lookup'), mock.method(dns.promises, 'lookup')];
    try {
      const transport = newTransport();
      await transport.generateOffer();
      await transport.gatherCandidates();
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Binding to an address literal goes through dns.lookup too, without any query.
      const names = lookups
        .flatMap((lookup) => lookup.mock.calls.map((call) => String(call.arguments[0])))
        .filter((name) => isIP(name) === 0);
      assert.deepEqual(names, []);
    } finally {
      for (const lookup of lookups) lookup.mock.restore();
    }
  });

  test('binds its sockets inside the configured port range and announces the configured addresses', async () => {
    const transport = newTransport({
      portRange: { min: 42000, max: 42010 },
      announcedAddresses: ['203.0.113.7'],
    });
    const candidates = candidatesOf(transport);
    const offer = await transport.generateOffer();
    await transport.gatherCandidates();
    assert.ok(candidates.length > 0);
    for (const { candidate } of candidates) {
      const [, , , , address, port] = candidate.split(' ');
      assert.equal(address, '203.0.113.7');
      assert.ok(Number(port) >= 42000 && Number(port) <= 42010, candidate);
    }
    assert.doesNotMatch(offer, /127\.0\.0\.1 \d+ typ host/);
  });

  test('close() frees the UDP sockets it bound', async () => {
    const transport = newTransport();
    await transport.generateOffer();
    const ports = localPorts(transport);
    assert.ok(ports.length > 0);
    for (const port of ports)
      assert.equal(await bindable(port), false, `port ${port} should be in use`);
    await transport.close();
    for (const port of ports)
      assert.equal(await bindable(port), true, `port ${port} was not freed`);
  });
});

describe('WebRtcTransport input validation', () => {
  test('refuses text that is not SDP with SDP_PARSE_ERROR (Kurento 40201)', async () => {
    for (const offer of [
      '',
      'hello',
      undefined,
      42,
      'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n',
    ]) {
      await assert.rejects(
        newTransport().processOffer(offer as string),
        rejectsWith('SDP_PARSE_ERROR', 40201),
      );
    }
  });

  test('refuses SDP without ICE credentials or DTLS fingerprint with SDP_PARSE_ERROR', async () => {
    const offer = await newTransport().generateOffer();
    const withoutFingerprint = offer.replace(/a=fingerprint:.*\r\n/g, '');
    await assert.rejects(
      newTransport().processOffer(withoutFingerprint),
      rejectsWith('SDP_PARSE_ERROR'),
    );
  });

  test('refuses a malformed DTLS fingerprint or setup role with SDP_PARSE_ERROR', async () => {
    const offer = await newTransport().generateOffer();
    for (const broken of [
      offer.replace(/a=fingerprint:\S+ \S+/g, 'a=fingerprint:md5 XX'),
      offer.replace(/a=setup:\w+/g, 'a=setup:banana'),
    ]) {
      await assert.rejects(newTransport().processOffer(broken), rejectsWith('SDP_PARSE_ERROR'));
    }
  });

  test('answers or refuses with a typed error every odd offer werift might choke on', async () => {
    const offer = await newTransport({ useDataChannels: true }).generateOffer();
    const oddities: ((sdp: string) => string)[] = [
      (sdp) => sdp.replace(/a=mid:.*\r\n/g, ''),
      (sdp) => sdp.slice(0, Math.floor(sdp.length / 2)),
      (sdp) => sdp.replace('a=end-of-candidates', 'a=candidate:garbage\r\na=end-of-candidates'),
      (sdp) => sdp.replace(/a=group:BUNDLE .*/, 'a=group:BUNDLE x y z'),
      (sdp) => sdp.replace(/a=ssrc:\d+/g, 'a=ssrc:abc'),
      (sdp) => sdp.replace(/a=sctp-port:\d+\r\n/g, ''),
      (sdp) => sdp.replace(/a=mid:1/g, 'a=mid:0'),
      (sdp) => sdp.replace(/a=rtpmap:96 .*\r\n/, ''),
      (sdp) => sdp.replace(/\r\n/g, '\n'),
      (sdp) => sdp.replace('s=-', 's=\u0000\u0001'),
    ];
    for (const oddity of oddities) {
      const transport = newTransport({ useDataChannels: true });
      await transport.processOffer(oddity(offer)).catch((error: unknown) => {
        assert.ok(error instanceof WebRtcTransportError, `untyped rejection: ${String(error)}`);
      });
    }
  });

  test('refuses an offer without any codec the server forwards with SDP_NO_ACCEPTABLE_CODEC', async () => {
    const offer = await newTransport().generateOffer();
    const onlyAv1 = offer
      .replace(/m=video 9 UDP\/TLS\/RTP\/SAVPF [\d ]+/, 'm=video 9 UDP/TLS/RTP/SAVPF 45')
      .replace(/a=(rtpmap|fmtp|rtcp-fb):(96|98|102) .*\r\n/g, '')
      .replace('a=mid:1\r\n', 'a=mid:1\r\na=rtpmap:45 AV1/90000\r\n');
    await assert.rejects(
      newTransport().processOffer(onlyAv1),
      (error: unknown) =>
        rejectsWith('SDP_NO_ACCEPTABLE_CODEC')(error) && /AV1/.test((error as Error).message),
    );
  });

  test('refuses a second negotiation with SDP_ALREADY_NEGOTIATED (Kurento 40208)', async () => {
    const transport = newTransport();
    const offer = await newTransport().generateOffer();
    await transport.processOffer(offer);
    await assert.rejects(
      transport.processOffer(offer),
      rejectsWith('SDP_ALREADY_NEGOTIATED', 40208),
    );
    await assert.rejects(transport.generateOffer(), rejectsWith('SDP_ALREADY_NEGOTIATED', 40208));
  });

  test('refuses processAnswer before generateOffer, and a second answer', async () => {
    const offerer = newTransport();
    const answerer = newTransport();
    await assert.rejects(
      offerer.processAnswer('v=0'),
      rejectsWith('SDP_NO_OFFER_GENERATED', 40209),
    );
    const answer = await answerer.processOffer(await offerer.generateOffer());
    await offerer.processAnswer(answer);
    await assert.rejects(
      offerer.processAnswer(answer),
      rejectsWith('SDP_ANSWER_ALREADY_PROCESSED', 40210),
    );
  });

  test('gatherCandidates before negotiating (as Kurento allows) emits the candidates after the answer', async () => {
    const answerer = newTransport();
    const events: string[] = [];
    answerer.on('icecandidate', (candidate) =>
      events.push(candidate.candidate.split(' ')[4] ?? ''),
    );
    answerer.on('icegatheringdone', () => events.push('done'));
    await answerer.gatherCandidates();
    assert.equal(events.length, 0, 'nothing to emit before a local description');
    const answer = await answerer.processOffer(await newTransport().generateOffer());
    events.push('answered');
    assert.match(answer, /a=candidate:.* 127\.0\.0\.1 /, 'the answer lists the candidates');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(events, ['answered', '127.0.0.1', 'done']);
    await answerer.gatherCandidates();
    assert.equal(events.length, 3, 'a second call emits nothing');
  });

  test('refuses malformed candidates with ICE_ADD_CANDIDATE_ERROR (40401) and accepts good ones', async () => {
    const transport = newTransport();
    await transport.processOffer(await newTransport().generateOffer());
    const bad: unknown[] = [
      null,
      'candidate:1 1 udp 1 127.0.0.1 5000 typ host',
      { candidate: 42, sdpMid: '0', sdpMLineIndex: 0 },
      { candidate: 'garbage', sdpMid: '0', sdpMLineIndex: 0 },
      {
        candidate: 'candidate:1 1 udp 2122260223 999.1.1.1 5000 typ host',
        sdpMid: '0',
        sdpMLineIndex: 0,
      },
      {
        candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 70000 typ host',
        sdpMid: '0',
        sdpMLineIndex: 0,
      },
      {
        candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 5000 typ nonsense',
        sdpMid: '0',
        sdpMLineIndex: 0,
      },
      {
        candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host',
        sdpMid: 7,
        sdpMLineIndex: 0,
      },
      {
        candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host',
        sdpMid: '7',
        sdpMLineIndex: 7,
      },
    ];
    for (const candidate of bad) {
      await assert.rejects(
        transport.addIceCandidate(candidate as IceCandidate),
        rejectsWith('ICE_ADD_CANDIDATE_ERROR', 40401),
      );
    }
    await transport.addIceCandidate({
      candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host generation 0',
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
  });

  test('queues candidates that arrive before the remote description', async () => {
    const transport = newTransport();
    await transport.addIceCandidate({
      candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 5000 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
    });
    await transport.processOffer(await newTransport().generateOffer());
  });

  test('end-of-candidates reaches the ICE agent, also when it comes before the remote description, and an ICE restart clears it', async () => {
    const offerer = newTransport();
    const answerer = newTransport();
    const offererCandidates = candidatesOf(offerer);
    const offer = await offerer.generateOffer();
    await offerer.gatherCandidates();
    // Trickled before the remote description: kept until it is applied.
    for (const candidate of offererCandidates) await answerer.addIceCandidate(candidate);
    await answerer.addEndOfCandidates();
    assert.equal(answerer.remoteCandidatesComplete, false);
    await offerer.processAnswer(await answerer.processOffer(offer));
    await connected(answerer);
    assert.equal(answerer.remoteCandidatesComplete, true);
    await answerer.restartIce({
      usernameFragment: 'restartUfrag',
      password: 'restartPasswordOf22Characters',
    });
    assert.equal(
      answerer.remoteCandidatesComplete,
      false,
      'the new ICE session expects candidates',
    );
    await answerer.addEndOfCandidates();
    assert.equal(answerer.remoteCandidatesComplete, true);
  });

  test('refuses server-side data channels without useDataChannels with DATA_CHANNELS_DISABLED', () => {
    assert.throws(
      () => newTransport().createDataChannel('chat'),
      rejectsWith('DATA_CHANNELS_DISABLED'),
    );
  });

  test('a negotiation in progress when close() is called rejects with TRANSPORT_CLOSED', async () => {
    const offer = await newTransport().generateOffer();
    const transport = newTransport();
    const answering = transport.processOffer(offer);
    await transport.close();
    await assert.rejects(answering, rejectsWith('TRANSPORT_CLOSED'));
  });

  test('refuses everything after close() with TRANSPORT_CLOSED', async () => {
    const transport = newTransport();
    await transport.close();
    await assert.rejects(transport.generateOffer(), rejectsWith('TRANSPORT_CLOSED'));
    await transport.close();
  });

  test('refuses contradictory options with INVALID_OPTIONS', () => {
    assert.throws(
      () => new WebRtcTransport({ recvonly: true, sendonly: true }),
      rejectsWith('INVALID_OPTIONS'),
    );
    assert.throws(
      () => new WebRtcTransport({ announcedAddresses: ['example.com'] }),
      rejectsWith('INVALID_OPTIONS'),
    );
    assert.throws(
      () => new WebRtcTransport({ portRange: { min: 5000, max: 5000 } }),
      rejectsWith('INVALID_OPTIONS'),
    );
  });
});

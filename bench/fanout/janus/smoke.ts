// Proves the Janus baseline forwards: Janus from Debian's package, one RTP mountpoint fed by
// ffmpeg (VP8 + Opus as plain RTP, through a tap that notes every packet it forwards), and three
// werift subscribers that must each receive both kinds at the rate sent. It also finds out what
// the fan-out benchmark needs to know about Janus: how its sequence numbers and timestamps map
// to the publisher's, which SRTP profile it negotiates with werift, and its CPU while forwarding.
//
//   scripts/isolated.sh npx tsx bench/fanout/janus/smoke.ts
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RTCPeerConnection, type RtpPacket } from 'werift';
import {
  createPeerConfig,
  disableImplicitStun,
} from '../../../packages/media-server/src/transport/peerConfig.js';
import { type JanusSubscription, startJanus } from './JanusServer.js';
import { ensurePrivateVethPair, type VethPair } from './privateVethPair.js';

/** Subscribers that join before the media starts; one more joins LATE_JOIN_MS into it. */
const SUBSCRIBERS = Number(process.argv[2] ?? 3);
const LATE_JOIN_MS = 2000;
const MEDIA_SECONDS = 8;
/** Packets sent within a second of a subscriber's start or of the end are left out. */
const MARGIN_MS = 1000;
/** A subscriber must receive at least this share of what was sent inside the window. */
const MIN_DELIVERY = 0.95;

type Kind = 'video' | 'audio';
const KINDS: readonly Kind[] = ['video', 'audio'];
const PUBLISHER_SSRC: Record<Kind, number> = { video: 1111, audio: 2222 };

/** An RTP packet as seen on one side: its numbers and a digest of its payload. */
interface SeenPacket {
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly payloadDigest: string;
  readonly atMs: number;
}

const failures: string[] = [];
const check = (ok: boolean, message: string) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${message}`);
  if (!ok) failures.push(message);
};

async function main(): Promise<void> {
  const veth = await ensurePrivateVethPair();
  const workDirectory = await mkdtemp(join(tmpdir(), 'medley-janus-smoke-'));
  const janus = await startJanus({ workDirectory, interfaceName: veth.interfaceName });
  console.log(`Janus ${janus.version} (pid ${janus.pid}), RTP in at`, janus.rtpTarget);
  const taps = {
    video: await RtpTap.open(janus.rtpTarget.host, janus.rtpTarget.videoPort),
    audio: await RtpTap.open(janus.rtpTarget.host, janus.rtpTarget.audioPort),
  };
  const subscribers: Subscriber[] = [];
  try {
    for (let index = 0; index < SUBSCRIBERS; index++) {
      subscribers.push(await Subscriber.connect(await janus.openSubscriber(), veth));
    }
    console.log(`${SUBSCRIBERS} subscribers connected; sending ${MEDIA_SECONDS} s of VP8 + Opus`);
    const media = sendMedia(taps.video.port, taps.audio.port);
    await new Promise((resolve) => setTimeout(resolve, LATE_JOIN_MS));
    subscribers.push(await Subscriber.connect(await janus.openSubscriber(), veth));
    console.log(`subscriber ${SUBSCRIBERS} joined ${LATE_JOIN_MS / 1000} s into the stream`);
    const cpuBefore = janus.cpuTimeMs();
    const windowStart = performance.now();
    await media;
    const windowEnd = performance.now();
    const janusCpuMs = janus.cpuTimeMs() - cpuBefore;
    await new Promise((resolve) => setTimeout(resolve, 500));

    console.log('delivery (packets sent while connected, received by each subscriber):');
    for (const kind of KINDS) checkDelivery(kind, taps[kind].packets, subscribers);
    console.log('sequence numbers and timestamps:');
    for (const kind of KINDS) describeMapping(kind, taps[kind].packets, subscribers);
    console.log('SRTP:');
    const profiles = new Set(subscribers.map((subscriber) => subscriber.srtpProfile()));
    check(profiles.size === 1, `every subscriber negotiated ${[...profiles].join(' / ')}`);
    const delivered = subscribers.reduce(
      (sum, subscriber) => sum + subscriber.packetCountBetween(windowStart, windowEnd),
      0,
    );
    const elapsedMs = windowEnd - windowStart;
    console.log(
      `CPU: Janus used ${janusCpuMs.toFixed(0)} ms in ${(elapsedMs / 1000).toFixed(1)} s = ${((janusCpuMs / elapsedMs) * 100).toFixed(1)}% of a core for ${delivered} packets delivered (${((janusCpuMs * 1000) / delivered).toFixed(1)} µs each with ${subscribers.length} subscribers)`,
    );
  } finally {
    for (const subscriber of subscribers) await subscriber.close();
    taps.video.close();
    taps.audio.close();
    await janus.stop();
    await rm(workDirectory, { recursive: true, force: true });
  }
}

/** Each subscriber received nearly every packet the tap forwarded while it was connected. */
function checkDelivery(kind: Kind, sent: readonly SeenPacket[], receivers: readonly Subscriber[]) {
  const last = sent.at(-1)?.atMs ?? 0;
  receivers.forEach((receiver, index) => {
    const from = Math.max(sent[0]?.atMs ?? 0, receiver.connectedAtMs) + MARGIN_MS;
    const window = sent.filter((packet) => packet.atMs >= from && packet.atMs <= last - MARGIN_MS);
    const received = receiver.payloadDigests(kind);
    const delivered = window.filter((packet) => received.has(packet.payloadDigest)).length;
    const seconds = (last - MARGIN_MS - from) / 1000;
    check(
      window.length > 0 && delivered >= window.length * MIN_DELIVERY,
      `subscriber ${index} ${kind}: ${delivered}/${window.length} (${(delivered / seconds).toFixed(0)} packets/s, ${receiver.packets[kind].length} in all)`,
    );
  });
}

/**
 * Matches received packets to sent ones by payload and prints how Janus's numbers relate to the
 * publisher's: one offset per subscriber and kind when Janus keeps the spacing.
 */
function describeMapping(
  kind: Kind,
  sent: readonly SeenPacket[],
  receivers: readonly Subscriber[],
) {
  const sentByDigest = new Map(sent.map((packet) => [packet.payloadDigest, packet]));
  receivers.forEach((receiver, index) => {
    const sequenceOffsets = new Map<number, number>();
    const timestampOffsets = new Map<number, number>();
    let firstReceived: { sent: SeenPacket; received: SeenPacket } | undefined;
    for (const packet of receiver.packets[kind]) {
      const original = sentByDigest.get(packet.payloadDigest);
      if (!original) continue;
      firstReceived ??= { sent: original, received: packet };
      count(sequenceOffsets, (original.sequenceNumber - packet.sequenceNumber) & 0xffff);
      count(timestampOffsets, (original.timestamp - packet.timestamp) >>> 0);
    }
    const [sequenceOffset, sequenceHits] = mostCommon(sequenceOffsets);
    const [timestampOffset, timestampHits] = mostCommon(timestampOffsets);
    const matched = [...sequenceOffsets.values()].reduce((sum, hits) => sum + hits, 0);
    check(
      matched > 0 && sequenceHits === matched && timestampHits === matched,
      `subscriber ${index} ${kind}: publisher seq = (received seq + ${sequenceOffset}) mod 2^16 for ${sequenceHits}/${matched} packets, publisher ts = received ts + ${timestampOffset} for ${timestampHits}/${matched}; first received: seq ${firstReceived?.received.sequenceNumber} ts ${firstReceived?.received.timestamp} (sent as seq ${firstReceived?.sent.sequenceNumber} ts ${firstReceived?.sent.timestamp}); SSRC ${[...receiver.ssrcs[kind]].join(', ')} (sent as ${PUBLISHER_SSRC[kind]})`,
    );
  });
}

function count(histogram: Map<number, number>, key: number): void {
  histogram.set(key, (histogram.get(key) ?? 0) + 1);
}

function mostCommon(histogram: Map<number, number>): [number, number] {
  return [...histogram].reduce<[number, number]>(
    (best, entry) => (entry[1] > best[1] ? entry : best),
    [Number.NaN, 0],
  );
}

/** ffmpeg encodes a test pattern (VP8) and noise (Opus: every payload differs) in real time. */
function sendMedia(videoPort: number, audioPort: number): Promise<void> {
  const rtpOutput = (port: number) =>
    // RTCP goes back to the tap's own port, where it is dropped: no ICMP errors for ffmpeg.
    `rtp://127.0.0.1:${port}?pkt_size=1200&rtcpport=${port}`;
  const ffmpeg: ChildProcess = spawn(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
      ...['-re', '-t', `${MEDIA_SECONDS}`, '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30'],
      ...[
        '-re',
        '-t',
        `${MEDIA_SECONDS}`,
        '-f',
        'lavfi',
        '-i',
        'anoisesrc=color=white:amplitude=0.2:sample_rate=48000',
      ],
      ...[
        '-map',
        '0:v',
        '-c:v',
        'libvpx',
        '-deadline',
        'realtime',
        '-cpu-used',
        '8',
        '-b:v',
        '500k',
        '-g',
        '30',
      ],
      ...[
        '-payload_type',
        '96',
        '-ssrc',
        `${PUBLISHER_SSRC.video}`,
        '-f',
        'rtp',
        rtpOutput(videoPort),
      ],
      ...['-map', '1:a', '-c:a', 'libopus', '-ac', '2', '-b:a', '64k'],
      ...[
        '-payload_type',
        '111',
        '-ssrc',
        `${PUBLISHER_SSRC.audio}`,
        '-f',
        'rtp',
        rtpOutput(audioPort),
      ],
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    ffmpeg.once('error', reject);
    ffmpeg.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}`)),
    );
  });
}

/** Receives the publisher's RTP on a port of its own, notes each packet and forwards it to Janus. */
class RtpTap {
  readonly packets: SeenPacket[] = [];

  private constructor(
    private readonly socket: Socket,
    readonly port: number,
  ) {}

  static async open(janusHost: string, janusPort: number): Promise<RtpTap> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const tap = new RtpTap(socket, socket.address().port);
    socket.on('message', (datagram) => {
      const packetType = datagram[1] ?? 0;
      if (packetType >= 200 && packetType <= 204) return; // RTCP
      tap.packets.push(seenOnTheWire(datagram));
      socket.send(datagram, janusPort, janusHost);
    });
    return tap;
  }

  close(): void {
    this.socket.close();
  }
}

/** Parses the fixed header, CSRCs and header extension of a plain RTP datagram. */
function seenOnTheWire(datagram: Buffer): SeenPacket {
  const csrcCount = (datagram[0] ?? 0) & 0x0f;
  const hasExtension = ((datagram[0] ?? 0) & 0x10) !== 0;
  let payloadStart = 12 + 4 * csrcCount;
  if (hasExtension) payloadStart += 4 + 4 * datagram.readUInt16BE(payloadStart + 2);
  return {
    sequenceNumber: datagram.readUInt16BE(2),
    timestamp: datagram.readUInt32BE(4),
    payloadDigest: digest(datagram.subarray(payloadStart)),
    atMs: performance.now(),
  };
}

function digest(payload: Buffer): string {
  return createHash('sha1').update(payload).digest('base64');
}

/** A werift peer that answers Janus's offer and notes every RTP packet it receives. */
class Subscriber {
  readonly packets: Record<Kind, SeenPacket[]> = { video: [], audio: [] };
  readonly ssrcs: Record<Kind, Set<number>> = { video: new Set(), audio: new Set() };
  connectedAtMs = Number.POSITIVE_INFINITY;

  private constructor(
    private readonly peerConnection: RTCPeerConnection,
    private readonly subscription: JanusSubscription,
  ) {}

  static async connect(subscription: JanusSubscription, veth: VethPair): Promise<Subscriber> {
    const peerConnection = new RTCPeerConnection(
      createPeerConfig({ additionalHostAddresses: ['127.0.0.1', veth.address, veth.peerAddress] }),
    );
    const subscriber = new Subscriber(peerConnection, subscription);
    // werift fires onTrack inside setRemoteDescription when the offer carries a=ssrc.
    peerConnection.onTrack.subscribe((track) => {
      const kind: Kind = track.kind === 'video' ? 'video' : 'audio';
      track.onReceiveRtp.subscribe((packet: RtpPacket) => {
        subscriber.ssrcs[kind].add(packet.header.ssrc);
        subscriber.packets[kind].push({
          sequenceNumber: packet.header.sequenceNumber,
          timestamp: packet.header.timestamp,
          payloadDigest: digest(packet.payload),
          atMs: performance.now(),
        });
      });
    });
    await peerConnection.setRemoteDescription({ type: 'offer', sdp: subscription.offer });
    disableImplicitStun(peerConnection, []);
    await peerConnection.setLocalDescription(await peerConnection.createAnswer());
    const connected = waitUntilConnected(peerConnection);
    await subscription.answer(peerConnection.localDescription?.sdp ?? '');
    await connected;
    subscriber.connectedAtMs = performance.now();
    return subscriber;
  }

  payloadDigests(kind: Kind): Set<string> {
    return new Set(this.packets[kind].map((packet) => packet.payloadDigest));
  }

  packetCountBetween(fromMs: number, toMs: number): number {
    return [...this.packets.video, ...this.packets.audio].filter(
      (packet) => packet.atMs >= fromMs && packet.atMs <= toMs,
    ).length;
  }

  /** The SRTP protection profile DTLS settled on (werift numbers them as RFC 5764 does). */
  srtpProfile(): string {
    const profile = this.peerConnection.dtlsTransports[0]?.dtls?.srtp.srtpProfile;
    const names: Record<number, string> = {
      1: 'SRTP_AES128_CM_HMAC_SHA1_80',
      7: 'SRTP_AEAD_AES_128_GCM',
    };
    return profile === undefined ? 'none' : (names[profile] ?? `profile ${profile}`);
  }

  async close(): Promise<void> {
    await this.subscription.close();
    await this.peerConnection.close();
  }
}

function waitUntilConnected(peerConnection: RTCPeerConnection): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('a subscriber did not connect in 10 s')),
      10_000,
    );
    peerConnection.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        clearTimeout(timer);
        resolve();
      } else if (state === 'failed') {
        clearTimeout(timer);
        reject(new Error('a subscriber failed to connect'));
      }
    });
  });
}

await main();
console.log(failures.length === 0 ? 'smoke passed' : `smoke FAILED: ${failures.length} checks`);
process.exit(failures.length === 0 ? 0 : 1);

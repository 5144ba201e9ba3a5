// The publisher, run as its own process: replays the clip in real time, as plain RTP to UDP ports
// or through a werift peer connection (sendonly VP8 + Opus) whose SDP main negotiates with the
// server, and keeps the send time of every packet for the latency and loss figures.
//
//   node --import tsx bench/fanout/publisher.ts      (forked by the benchmark)
import { createSocket } from 'node:dgram';
import { RTCPeerConnection, type RTCRtpTransceiver, RtpHeader, RtpPacket } from 'werift';
import {
  createPeerConfig,
  disableImplicitStun,
} from '../../packages/media-server/src/transport/peerConfig.js';
import { monotonicMs } from './ArrivalLog.js';
import { ClipReplay } from './ClipReplay.js';
import { loadClip } from './clip.js';
import type { FromPublisher, PublisherRoute, ToPublisher } from './ipc.js';
import { type MediaKind, mediaDigest, type RtpHeaderFields, serializeRtp } from './rtp.js';
import { SendHistory } from './SendHistory.js';

type SendPacket = (kind: MediaKind, header: RtpHeaderFields, payload: Buffer) => void;

const history = new SendHistory();
/** mediaDigest() of each clip packet, to locate a subscriber's anchor packet. */
let clipDigests: readonly string[] = [];
let replay: ClipReplay | undefined;
let answered: ((sdp: string) => void) | undefined;

function tell(message: FromPublisher): void {
  process.send?.(message);
}

async function start(route: PublisherRoute): Promise<void> {
  const clip = await loadClip();
  clipDigests = clip.packets.map((packet) => mediaDigest(packet.kind, packet.payload));
  const send = route.kind === 'udp' ? await udpSender(route) : await webRtcSender();
  replay = new ClipReplay(clip, (kind, header, payload, clipIndex) => {
    history.record(kind, header.sequenceNumber, monotonicMs(), clipIndex);
    send(kind, header, payload);
  });
  replay.start();
  tell({ type: 'started' });
}

async function udpSender(route: Extract<PublisherRoute, { kind: 'udp' }>): Promise<SendPacket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return (kind, header, payload) =>
    socket.send(
      serializeRtp(header, payload),
      kind === 'video' ? route.videoPort : route.audioPort,
      route.host,
    );
}

async function webRtcSender(): Promise<SendPacket> {
  const peerConnection = new RTCPeerConnection(
    createPeerConfig({ additionalHostAddresses: ['127.0.0.1'] }),
  );
  const transceivers: Record<MediaKind, RTCRtpTransceiver> = {
    audio: peerConnection.addTransceiver('audio', { direction: 'sendonly' }),
    video: peerConnection.addTransceiver('video', { direction: 'sendonly' }),
  };
  const offer = await peerConnection.createOffer();
  disableImplicitStun(peerConnection, []);
  await peerConnection.setLocalDescription(offer);
  const answer = new Promise<string>((resolve) => {
    answered = resolve;
  });
  tell({ type: 'offer', sdp: peerConnection.localDescription?.sdp ?? '' });
  await peerConnection.setRemoteDescription({ type: 'answer', sdp: await answer });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('the publisher did not connect in 10 s')),
      10_000,
    );
    peerConnection.connectionStateChange.subscribe((state) => {
      if (state !== 'connected') return;
      clearTimeout(timer);
      resolve();
    });
  });
  return (kind, header, payload) => {
    const packet = new RtpPacket(new RtpHeader({ ...header }), payload);
    transceivers[kind].sender.sendRtp(packet).catch(() => undefined);
  };
}

process.on('message', (message: ToPublisher) => {
  switch (message.type) {
    case 'start':
      start(message.route).catch((error: unknown) =>
        tell({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
      );
      break;
    case 'answer':
      answered?.(message.sdp);
      break;
    case 'sends':
      tell({
        type: 'sends',
        requestId: message.requestId,
        log: history.between(message.fromMs, message.toMs),
      });
      break;
    case 'locate': {
      const { kind, arrivalMs, digest } = message.anchor;
      tell({
        type: 'located',
        requestId: message.requestId,
        sequenceNumber: history.lastSent(kind, arrivalMs, (index) => clipDigests[index] === digest),
      });
      break;
    }
    case 'stop':
      replay?.stop();
      process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));

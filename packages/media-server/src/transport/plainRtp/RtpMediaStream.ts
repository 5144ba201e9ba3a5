import type { RemoteInfo } from 'node:dgram';
import type { MediaCodec, MediaPacket, MediaSinkPad, MediaSourcePad } from '../../graph/index.js';
import { guarded } from '../../graph/listenerFailure.js';
import { PlainRtpSendHistory } from './PlainRtpSendHistory.js';
import {
  FIR_FORMAT,
  fullIntraRequest,
  GENERIC_NACK_FORMAT,
  goodbye,
  PLI_FORMAT,
  pictureLossIndication,
  RTCP_GOODBYE,
  RTCP_PAYLOAD_FEEDBACK,
  RTCP_RECEIVER_REPORT,
  RTCP_SENDER_REPORT,
  RTCP_TRANSPORT_FEEDBACK,
  type RtcpPacketView,
  readGenericNack,
  readGoodbyeSources,
  readReportBlocks,
  receiverReport,
  roundTripSeconds,
  rtcpPacketsOf,
  senderReport,
  sourceDescription,
} from './plainRtcp.js';
import type { RtpPortPair } from './RtpPortPair.js';
import { RtpReceptionStatistics } from './RtpReceptionStatistics.js';
import type { SrtpAesCmSession } from './SrtpAesCmSession.js';

const RTP_HEADER_LENGTH = 12;
/**
 * An RTCP report (SR while we send, else RR) this often tells the peer we are there and, while
 * we send, how our RTP timestamps map to wall-clock time (RFC 3550's 5 s minimum).
 */
const REPORT_INTERVAL_MS = 5000;
/**
 * Plain RTP from another address than the peer's is taken (and the peer's address moved there)
 * only once the peer has been silent this long, unless it continues the peer's own stream
 * (a NAT rebinding): a stranger who sprays RTP at the port must not redirect the call's media to
 * itself ("RTP bleed"). SRTP packets authenticate their sender and are always followed.
 */
const SOURCE_SILENCE_MS = 1000;
/** A packet this close in sequence to the peer's last one continues its stream. */
const REBINDING_SEQUENCE_WINDOW = 100;

/** Where the peer of one medium takes RTP and RTCP. */
export interface RtpPeerAddress {
  readonly address: string;
  readonly rtpPort: number;
  readonly rtcpPort: number;
}

/** What was negotiated for one medium. */
export interface RtpMediaSettings {
  /** The peer's address from its SDP; undefined (or 0.0.0.0) waits for its first packet. */
  readonly peer: RtpPeerAddress | undefined;
  readonly rtcpMux: boolean;
  /** Codecs we take from the peer (its payload types), or none when we do not receive. */
  readonly receiveCodecs: readonly MediaCodec[];
  /** Codecs we may send the peer, preferred first, or none when we do not send. */
  readonly sendCodecs: readonly MediaCodec[];
  /** Whether the peer asked for FIR (`ccm fir`); PLI is always sent. */
  readonly firNegotiated: boolean;
  /** The CNAME of our RTCP (SDES): the same for every medium of the endpoint, for lip-sync. */
  readonly cname: string;
  /** SDES-SRTP: ours protects what we send, the peer's unprotects what it sends. */
  readonly srtp?: { readonly outbound: SrtpAesCmSession; readonly inbound: SrtpAesCmSession };
}

/** Counters of one medium, for getStats and metrics. */
export interface RtpMediaCounters {
  packetsReceived: number;
  bytesReceived: number;
  packetsSent: number;
  bytesSent: number;
  /** Packets dropped: unknown payload type, failed SRTP authentication, malformed. */
  packetsDiscarded: number;
  pliSent: number;
  /** FIRs sent along with PLIs, where the peer negotiated them. */
  firSent: number;
  /** PLIs and FIRs the peer sent. */
  keyframeRequestsReceived: number;
  /** The FIRs among them. */
  firReceived: number;
  /** Generic NACKs the peer sent for the stream we send. */
  nacksReceived: number;
  /** Packets sent again because the peer NACKed them. */
  retransmittedPacketsSent: number;
  retransmittedBytesSent: number;
}

/** What the peer's last report block said of the stream we send. */
export interface PeerReceptionReport {
  readonly packetsLost: number;
  /** Times 256, as the block has it. */
  readonly fractionLost: number;
  /** Seconds; undefined until a block answered one of our sender reports. */
  readonly roundTripTime: number | undefined;
}

/** What a {@link RtpMediaStream} tells its transport. */
export interface RtpMediaStreamListener {
  /** A packet (RTP or RTCP) came from the peer. */
  readonly onActivity: () => void;
  /** The peer said goodbye (RTCP BYE) for the stream it sent us. */
  readonly onGoodbye: () => void;
}

function isRtcp(datagram: Buffer): boolean {
  const payloadType = (datagram[1] as number) & 0x7f;
  return payloadType >= 64 && payloadType <= 95;
}

/**
 * One medium (audio or video) of an RtpEndpoint over plain UDP: RTP from the peer into the
 * source pad, RTP from the sink pad to the peer, keyframe requests both ways (RTCP PLI, and FIR
 * where negotiated). Video sent is kept in a history that answers the peer's generic NACKs;
 * sender reports map our RTP timestamps to wall-clock time so the peer can play audio and video
 * in sync; a BYE goes out when the stream closes. The peer's address is taken from its SDP and
 * follows the source of its packets (symmetric RTP, as SIP gateways behind NAT need), once a
 * packet passed the checks.
 */
export class RtpMediaStream {
  readonly counters: RtpMediaCounters = {
    packetsReceived: 0,
    bytesReceived: 0,
    packetsSent: 0,
    bytesSent: 0,
    packetsDiscarded: 0,
    pliSent: 0,
    firSent: 0,
    keyframeRequestsReceived: 0,
    firReceived: 0,
    nacksReceived: 0,
    retransmittedPacketsSent: 0,
    retransmittedBytesSent: 0,
  };
  /** Loss and jitter of the stream the peer sends (RFC 3550), for getStats. */
  readonly reception = new RtpReceptionStatistics();
  /** What the peer reported of the stream we send, once it did. */
  peerReport: PeerReceptionReport | undefined;
  readonly #sockets: RtpPortPair;
  readonly #source: MediaSourcePad;
  readonly #sink: MediaSinkPad;
  readonly #listener: RtpMediaStreamListener;
  #history: PlainRtpSendHistory | undefined;
  /** The RTP timestamp of the newest frame sent, and when (Unix ms) its first packet went. */
  #lastSentTimestamp = 0;
  #lastSentTimestampAtMs = 0;
  #sendClockRate = 0;
  #settings: RtpMediaSettings | undefined;
  #peer: RtpPeerAddress | undefined;
  #codecsByPayloadType: (MediaCodec | undefined)[] = [];
  readonly #sendPayloadTypes = new Map<MediaCodec, number>();
  #remoteSsrc: number | undefined;
  /** Our RTCP sender SSRC (the sink's stream SSRC: what we send, when we send). */
  #localSsrc: number;
  #reportTimer: NodeJS.Timeout | undefined;
  #firSequence = 0;
  /** Whether RTP from the peer was taken yet (its source address is then latched). */
  #sourceLearned = false;
  #lastRtpAtMs = 0;
  #lastRemoteSequence = 0;
  #closed = false;
  readonly #incoming: MediaPacket = {
    payloadType: 0,
    sequenceNumber: 0,
    timestamp: 0,
    ssrc: 0,
    marker: false,
    payload: Buffer.alloc(0),
    codec: { mimeType: '', payloadType: 0, clockRate: 0 },
  };

  constructor(
    sockets: RtpPortPair,
    pads: { readonly source: MediaSourcePad; readonly sink: MediaSinkPad },
    listener: RtpMediaStreamListener,
  ) {
    this.#sockets = sockets;
    this.#source = pads.source;
    this.#sink = pads.sink;
    this.#listener = listener;
    this.#localSsrc = pads.sink.rewriter.ssrc;
    sockets.rtp.on(
      'message',
      guarded('plain RTP', (datagram: Buffer, from: RemoteInfo) => this.#receive(datagram, from)),
    );
    sockets.rtcp.on(
      'message',
      guarded('plain RTCP', (datagram: Buffer, from: RemoteInfo) =>
        this.#receiveRtcp(datagram, from),
      ),
    );
    // A datagram the OS cannot deliver (ICMP port unreachable) is lost like any other.
    sockets.rtp.on('error', () => undefined);
    sockets.rtcp.on('error', () => undefined);
  }

  /** The local RTP port. */
  get rtpPort(): number {
    return this.#sockets.rtp.address().port;
  }

  /** The local RTCP port (the RTCP socket's, even when RTCP is multiplexed). */
  get rtcpPort(): number {
    return this.#sockets.rtcp.address().port;
  }

  /** The SSRC of the stream the peer sends, once it sent one. */
  get remoteSsrc(): number | undefined {
    return this.#remoteSsrc;
  }

  /** The SSRC we send (and report) with. */
  get localSsrc(): number {
    return this.#localSsrc;
  }

  /** The codecs the peer sends and we send, as negotiated (preferred first). */
  get codecs(): { readonly receive: readonly MediaCodec[]; readonly send: readonly MediaCodec[] } {
    return { receive: this.#settings?.receiveCodecs ?? [], send: this.#settings?.sendCodecs ?? [] };
  }

  /** Where media goes now (the SDP's address, or where the peer's packets come from). */
  get peer(): RtpPeerAddress | undefined {
    return this.#peer;
  }

  /** Starts moving media as negotiated. */
  start(settings: RtpMediaSettings): void {
    this.#settings = settings;
    const peer = settings.peer;
    this.#peer = peer && !isUnspecified(peer.address) && peer.rtpPort > 0 ? peer : undefined;
    this.#codecsByPayloadType = [];
    for (const codec of settings.receiveCodecs) {
      this.#codecsByPayloadType[codec.payloadType] = codec;
    }
    const receiving = settings.receiveCodecs.length > 0;
    this.#source.codecs = receiving ? settings.receiveCodecs : undefined;
    if (receiving) this.#source.onKeyframeRequest = () => this.#requestKeyframe();
    for (const codec of settings.sendCodecs) this.#sendPayloadTypes.set(codec, codec.payloadType);
    const sending = settings.sendCodecs.length > 0;
    // Plain-RTP peers often NACK without announcing it in their SDP: video is always answered.
    this.#history =
      sending && this.#sink.mediaType === 'VIDEO' ? new PlainRtpSendHistory() : undefined;
    this.#sink.setNegotiatedCodecs(settings.sendCodecs);
    this.#sink.onRtp = sending ? (packet) => this.#send(packet) : undefined;
    if (sending) this.#sink.requestKeyframe();
    this.#reportTimer = setInterval(
      guarded('RTCP report', () => this.#sendReport()),
      REPORT_INTERVAL_MS,
    );
    this.#reportTimer.unref();
  }

  /**
   * Stops media, says goodbye to the peer (RTCP BYE: ffmpeg, for one, ends its input on it
   * instead of waiting forever) and closes the sockets. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    clearInterval(this.#reportTimer);
    this.#sink.onRtp = undefined;
    this.#source.onKeyframeRequest = undefined;
    this.#history = undefined;
    const closeSockets = () => {
      this.#sockets.rtp.close();
      this.#sockets.rtcp.close();
    };
    const sentGoodbye =
      this.#settings !== undefined &&
      (this.counters.packetsSent > 0 || this.#remoteSsrc !== undefined) &&
      this.#sendRtcp(
        Buffer.concat([...this.#reportParts(), goodbye(this.#localSsrc)]),
        closeSockets,
      );
    this.#closed = true;
    if (!sentGoodbye) closeSockets();
  }

  #receive(datagram: Buffer, from: RemoteInfo): void {
    if (!this.#settings) return;
    if (isRtcp(datagram)) {
      this.#receiveRtcp(datagram, from);
      return;
    }
    const srtp = this.#settings.srtp;
    const packet = srtp ? srtp.inbound.unprotectRtp(datagram) : datagram;
    const parsed = packet && this.#parseRtp(packet);
    if (!parsed || !this.#fromPeer(from, parsed, srtp !== undefined)) {
      this.counters.packetsDiscarded++;
      return;
    }
    this.counters.packetsReceived++;
    this.counters.bytesReceived += datagram.length;
    this.#follow(from, false);
    this.#sourceLearned = true;
    this.#lastRtpAtMs = performance.now();
    this.reception.count(parsed, this.#lastRtpAtMs);
    this.#lastRemoteSequence = parsed.sequenceNumber;
    this.#listener.onActivity();
    this.#remoteSsrc = parsed.ssrc;
    this.#source.pushRtp(parsed);
  }

  /**
   * Whether an RTP packet comes from the peer: SRTP (authenticated), the first source, the
   * latched address, the peer's stream from a new port (NAT rebinding), a sender after the
   * peer's BYE (a restart), or anyone once the peer has been silent a while.
   */
  #fromPeer(from: RemoteInfo, packet: MediaPacket, authenticated: boolean): boolean {
    const peer = this.#peer;
    if (authenticated || !this.#sourceLearned || !peer) return true;
    if (peer.address === from.address && peer.rtpPort === from.port) return true;
    if (this.#remoteSsrc === undefined) return true;
    const distance = Math.abs(
      ((packet.sequenceNumber - this.#lastRemoteSequence + 0x8000) & 0xffff) - 0x8000,
    );
    if (packet.ssrc === this.#remoteSsrc && distance <= REBINDING_SEQUENCE_WINDOW) return true;
    return performance.now() - this.#lastRtpAtMs >= SOURCE_SILENCE_MS;
  }

  #parseRtp(packet: Buffer): MediaPacket | undefined {
    if (packet.length < RTP_HEADER_LENGTH || (packet[0] as number) >> 6 !== 2) return undefined;
    const first = packet[0] as number;
    let headerLength = RTP_HEADER_LENGTH + (first & 0x0f) * 4;
    if (first & 0x10) {
      if (packet.length < headerLength + 4) return undefined;
      headerLength += 4 + packet.readUInt16BE(headerLength + 2) * 4;
    }
    let end = packet.length;
    if (first & 0x20) end -= packet[packet.length - 1] as number;
    if (end < headerLength) return undefined;
    const second = packet[1] as number;
    const codec = this.#codecsByPayloadType[second & 0x7f];
    if (!codec) return undefined;
    const incoming = this.#incoming;
    incoming.payloadType = second & 0x7f;
    incoming.marker = (second & 0x80) !== 0;
    incoming.sequenceNumber = packet.readUInt16BE(2);
    incoming.timestamp = packet.readUInt32BE(4);
    incoming.ssrc = packet.readUInt32BE(8);
    incoming.payload = packet.subarray(headerLength, end);
    incoming.codec = codec;
    return incoming;
  }

  #receiveRtcp(datagram: Buffer, from: RemoteInfo): void {
    const settings = this.#settings;
    if (!settings) return;
    const compound = settings.srtp ? settings.srtp.inbound.unprotectRtcp(datagram) : datagram;
    // Plain RTCP is the peer's only from its host: a stranger's BYE or NACKs are not obeyed.
    const stranger = !settings.srtp && this.#sourceLearned && from.address !== this.#peer?.address;
    if (!compound || stranger) {
      this.counters.packetsDiscarded++;
      return;
    }
    this.#follow(from, true);
    this.#listener.onActivity();
    for (const packet of rtcpPacketsOf(compound)) {
      if (
        packet.type === RTCP_PAYLOAD_FEEDBACK &&
        (packet.format === PLI_FORMAT || packet.format === FIR_FORMAT)
      ) {
        this.counters.keyframeRequestsReceived++;
        if (packet.format === FIR_FORMAT) this.counters.firReceived++;
        this.#sink.requestKeyframe();
      } else if (packet.type === RTCP_TRANSPORT_FEEDBACK && packet.format === GENERIC_NACK_FORMAT) {
        this.#answerNack(compound, packet);
      } else if (packet.type === RTCP_GOODBYE) {
        this.#receiveGoodbye(compound, packet);
      } else if (packet.type === RTCP_SENDER_REPORT || packet.type === RTCP_RECEIVER_REPORT) {
        this.#receiveReportBlocks(compound, packet);
      }
    }
  }

  /** Sends again, as they were first sent, the packets of ours the peer lost and still kept. */
  #answerNack(compound: Buffer, packet: RtcpPacketView): void {
    const nack = readGenericNack(compound, packet);
    if (nack.mediaSsrc !== this.#localSsrc) return;
    this.counters.nacksReceived++;
    const history = this.#history;
    if (!history) return;
    const now = performance.now();
    for (const sequenceNumber of new Set(nack.sequenceNumbers)) {
      const sent = history.takeForResend(sequenceNumber, now);
      if (!sent) continue;
      const wire = this.#writeRtp(sent, this.#localSsrc);
      if (!wire) return;
      this.counters.retransmittedPacketsSent++;
      this.counters.retransmittedBytesSent += wire.length;
    }
  }

  /** The peer's stream ended: no more keyframe requests for it (a restarted sender has another SSRC). */
  #receiveGoodbye(compound: Buffer, packet: RtcpPacketView): void {
    const remoteSsrc = this.#remoteSsrc;
    if (remoteSsrc === undefined || !readGoodbyeSources(compound, packet).includes(remoteSsrc)) {
      return;
    }
    this.#remoteSsrc = undefined;
    this.#listener.onGoodbye();
  }

  /** Whether the peer sends us nothing now: it said goodbye for its stream (RTCP BYE), or never sent. */
  get peerLeft(): boolean {
    return this.#remoteSsrc === undefined;
  }

  /** Symmetric RTP: media goes where the peer's packets come from. */
  #follow(from: RemoteInfo, rtcp: boolean): void {
    const peer = this.#peer;
    const mux = this.#settings?.rtcpMux ?? false;
    if (rtcp) {
      if (peer && peer.address === from.address && peer.rtcpPort === from.port) return;
      if (!peer) {
        this.#peer = {
          address: from.address,
          rtpPort: mux ? from.port : from.port - 1,
          rtcpPort: from.port,
        };
      } else if (peer.address === from.address) {
        this.#peer = { ...peer, rtcpPort: from.port };
      }
      return;
    }
    if (peer && peer.address === from.address && peer.rtpPort === from.port) return;
    this.#peer = {
      address: from.address,
      rtpPort: from.port,
      rtcpPort: mux ? from.port : from.port + 1,
    };
  }

  #send(packet: MediaPacket): void {
    const payloadType = this.#sendPayloadTypes.get(packet.codec);
    if (payloadType === undefined || this.#closed) return;
    this.#localSsrc = packet.ssrc;
    const fields = {
      sequenceNumber: packet.sequenceNumber,
      timestamp: packet.timestamp,
      payloadType,
      marker: packet.marker,
      payload: packet.payload,
    };
    const wire = this.#writeRtp(fields, packet.ssrc);
    if (!wire) return;
    this.#history?.store(fields);
    this.counters.packetsSent++;
    this.counters.bytesSent += wire.length;
    if (packet.timestamp !== this.#lastSentTimestamp || this.counters.packetsSent === 1) {
      this.#lastSentTimestamp = packet.timestamp;
      this.#lastSentTimestampAtMs = wallClockMs();
      this.#sendClockRate = packet.codec.clockRate;
    }
    // The first report goes with the first packet, so the peer can sync audio and video at once.
    if (this.counters.packetsSent === 1)
      setImmediate(guarded('RTCP report', () => this.#sendReport()));
  }

  /** Writes one RTP packet (SRTP-protected when negotiated) to the peer; undefined: no peer yet. */
  #writeRtp(
    fields: {
      readonly sequenceNumber: number;
      readonly timestamp: number;
      readonly payloadType: number;
      readonly marker: boolean;
      readonly payload: Buffer;
    },
    ssrc: number,
  ): Buffer | undefined {
    const peer = this.#peer;
    if (!peer || this.#closed) return undefined;
    const datagram = Buffer.allocUnsafe(RTP_HEADER_LENGTH + fields.payload.length);
    datagram[0] = 0x80;
    datagram[1] = (fields.marker ? 0x80 : 0) | fields.payloadType;
    datagram.writeUInt16BE(fields.sequenceNumber & 0xffff, 2);
    datagram.writeUInt32BE(fields.timestamp >>> 0, 4);
    datagram.writeUInt32BE(ssrc >>> 0, 8);
    fields.payload.copy(datagram, RTP_HEADER_LENGTH);
    const srtp = this.#settings?.srtp;
    const wire = srtp ? srtp.outbound.protectRtp(datagram) : datagram;
    this.#sockets.rtp.send(wire, peer.rtpPort, peer.address);
    return wire;
  }

  #receiveReportBlocks(compound: Buffer, packet: RtcpPacketView): void {
    const block = readReportBlocks(compound, packet).find(
      (candidate) => candidate.ssrc === this.#localSsrc,
    );
    if (!block) return;
    this.peerReport = {
      packetsLost: Math.max(0, block.cumulativeLost),
      fractionLost: block.fractionLost,
      roundTripTime: roundTripSeconds(block, wallClockMs()) ?? this.peerReport?.roundTripTime,
    };
  }

  #requestKeyframe(): void {
    const remoteSsrc = this.#remoteSsrc;
    if (remoteSsrc === undefined) return;
    const parts = [...this.#reportParts(), pictureLossIndication(this.#localSsrc, remoteSsrc)];
    if (this.#settings?.firNegotiated) {
      parts.push(fullIntraRequest(this.#localSsrc, remoteSsrc, this.#firSequence++));
      this.counters.firSent++;
    }
    this.counters.pliSent++;
    this.#sendRtcp(Buffer.concat(parts));
  }

  /**
   * The report every compound RTCP packet starts with (RFC 3550 §6.1) and our CNAME: a sender
   * report once we have sent media, its RTP timestamp being that of the newest frame advanced
   * by the time since it went out; a receiver report before.
   */
  #reportParts(): Buffer[] {
    const cname = sourceDescription(this.#localSsrc, this.#settings?.cname ?? '');
    if (this.counters.packetsSent === 0) return [receiverReport(this.#localSsrc), cname];
    const now = wallClockMs();
    const elapsedTicks = Math.round(
      ((now - this.#lastSentTimestampAtMs) * this.#sendClockRate) / 1000,
    );
    const report = senderReport({
      ssrc: this.#localSsrc,
      wallClockMs: now,
      rtpTimestamp: (this.#lastSentTimestamp + elapsedTicks) >>> 0,
      packetCount: this.counters.packetsSent,
      octetCount: this.counters.bytesSent,
    });
    return [report, cname];
  }

  #sendReport(): void {
    if (this.counters.packetsSent > 0 || this.#remoteSsrc !== undefined) {
      this.#sendRtcp(Buffer.concat(this.#reportParts()));
    }
  }

  /** Sends a compound RTCP packet; false (and `sent` is not called) when there is no peer. */
  #sendRtcp(packet: Buffer, sent?: () => void): boolean {
    const peer = this.#peer;
    if (!peer || this.#closed) return false;
    const srtp = this.#settings?.srtp;
    const wire = srtp ? srtp.outbound.protectRtcp(packet) : packet;
    const socket = this.#settings?.rtcpMux ? this.#sockets.rtp : this.#sockets.rtcp;
    socket.send(wire, peer.rtcpPort, peer.address, sent);
    return true;
  }
}

/** Wall-clock time in Unix ms that never steps back with the system clock. */
function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

function isUnspecified(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

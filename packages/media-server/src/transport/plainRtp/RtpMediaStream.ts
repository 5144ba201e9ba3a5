import type { RemoteInfo } from 'node:dgram';
import type { MediaCodec, MediaPacket, MediaSinkPad, MediaSourcePad } from '../../graph/index.js';
import { guarded } from '../../graph/listenerFailure.js';
import type { RtpPortPair } from './RtpPortPair.js';
import type { SrtpAesCmSession } from './SrtpAesCmSession.js';

const RTP_HEADER_LENGTH = 12;
const RTCP_RECEIVER_REPORT = 201;
const RTCP_PAYLOAD_FEEDBACK = 206;
const PLI_FORMAT = 1;
const FIR_FORMAT = 4;
/** An RTCP receiver report this often tells the peer we are there (RFC 3550's 5 s minimum). */
const RECEIVER_REPORT_INTERVAL_MS = 5000;

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
  keyframeRequestsReceived: number;
}

function isRtcp(datagram: Buffer): boolean {
  const payloadType = (datagram[1] as number) & 0x7f;
  return payloadType >= 64 && payloadType <= 95;
}

/**
 * One medium (audio or video) of an RtpEndpoint over plain UDP: RTP from the peer into the
 * source pad, RTP from the sink pad to the peer, keyframe requests both ways (RTCP PLI, and FIR
 * where negotiated). The peer's address is taken from its SDP and follows the source of its
 * packets (symmetric RTP, as SIP gateways behind NAT need), once a packet passed the checks.
 */
export class RtpMediaStream {
  readonly counters: RtpMediaCounters = {
    packetsReceived: 0,
    bytesReceived: 0,
    packetsSent: 0,
    bytesSent: 0,
    packetsDiscarded: 0,
    pliSent: 0,
    keyframeRequestsReceived: 0,
  };
  readonly #sockets: RtpPortPair;
  readonly #source: MediaSourcePad;
  readonly #sink: MediaSinkPad;
  readonly #onActivity: () => void;
  #settings: RtpMediaSettings | undefined;
  #peer: RtpPeerAddress | undefined;
  #codecsByPayloadType: (MediaCodec | undefined)[] = [];
  readonly #sendPayloadTypes = new Map<MediaCodec, number>();
  #remoteSsrc: number | undefined;
  /** Our RTCP sender SSRC (the sink's stream SSRC: what we send, when we send). */
  #localSsrc: number;
  #reportTimer: NodeJS.Timeout | undefined;
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
    onActivity: () => void,
  ) {
    this.#sockets = sockets;
    this.#source = pads.source;
    this.#sink = pads.sink;
    this.#onActivity = onActivity;
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
    this.#sink.setNegotiatedCodecs(settings.sendCodecs);
    this.#sink.onRtp = settings.sendCodecs.length > 0 ? (packet) => this.#send(packet) : undefined;
    if (settings.sendCodecs.length > 0) this.#sink.requestKeyframe();
    this.#reportTimer = setInterval(
      guarded('RTCP report', () => this.#sendReceiverReport()),
      RECEIVER_REPORT_INTERVAL_MS,
    );
    this.#reportTimer.unref();
  }

  /** Stops media and closes the sockets. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#reportTimer);
    this.#sink.onRtp = undefined;
    this.#source.onKeyframeRequest = undefined;
    this.#sockets.rtp.close();
    this.#sockets.rtcp.close();
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
    if (!parsed) {
      this.counters.packetsDiscarded++;
      return;
    }
    this.counters.packetsReceived++;
    this.counters.bytesReceived += datagram.length;
    this.#follow(from, false);
    this.#onActivity();
    this.#remoteSsrc = parsed.ssrc;
    this.#source.pushRtp(parsed);
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
    const packet = settings.srtp ? settings.srtp.inbound.unprotectRtcp(datagram) : datagram;
    if (!packet) {
      this.counters.packetsDiscarded++;
      return;
    }
    this.#follow(from, true);
    this.#onActivity();
    for (let offset = 0; offset + 4 <= packet.length; ) {
      const length = (packet.readUInt16BE(offset + 2) + 1) * 4;
      if (offset + length > packet.length) break;
      const format = (packet[offset] as number) & 0x1f;
      const type = packet[offset + 1] as number;
      if (type === RTCP_PAYLOAD_FEEDBACK && (format === PLI_FORMAT || format === FIR_FORMAT)) {
        this.counters.keyframeRequestsReceived++;
        this.#sink.requestKeyframe();
      }
      offset += length;
    }
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
    const peer = this.#peer;
    const payloadType = this.#sendPayloadTypes.get(packet.codec);
    if (!peer || payloadType === undefined || this.#closed) return;
    this.#localSsrc = packet.ssrc;
    const datagram = Buffer.allocUnsafe(RTP_HEADER_LENGTH + packet.payload.length);
    datagram[0] = 0x80;
    datagram[1] = (packet.marker ? 0x80 : 0) | payloadType;
    datagram.writeUInt16BE(packet.sequenceNumber & 0xffff, 2);
    datagram.writeUInt32BE(packet.timestamp >>> 0, 4);
    datagram.writeUInt32BE(packet.ssrc >>> 0, 8);
    packet.payload.copy(datagram, RTP_HEADER_LENGTH);
    const srtp = this.#settings?.srtp;
    const wire = srtp ? srtp.outbound.protectRtp(datagram) : datagram;
    this.counters.packetsSent++;
    this.counters.bytesSent += wire.length;
    this.#sockets.rtp.send(wire, peer.rtpPort, peer.address);
  }

  #requestKeyframe(): void {
    const remoteSsrc = this.#remoteSsrc;
    if (remoteSsrc === undefined) return;
    const report = this.#receiverReport();
    const pli = Buffer.alloc(12);
    pli[0] = 0x80 | PLI_FORMAT;
    pli[1] = RTCP_PAYLOAD_FEEDBACK;
    pli.writeUInt16BE(2, 2);
    pli.writeUInt32BE(this.#localSsrc >>> 0, 4);
    pli.writeUInt32BE(remoteSsrc >>> 0, 8);
    const parts = [report, pli];
    if (this.#settings?.firNegotiated) {
      const fir = Buffer.alloc(20);
      fir[0] = 0x80 | FIR_FORMAT;
      fir[1] = RTCP_PAYLOAD_FEEDBACK;
      fir.writeUInt16BE(4, 2);
      fir.writeUInt32BE(this.#localSsrc >>> 0, 4);
      fir.writeUInt32BE(remoteSsrc >>> 0, 12);
      fir[16] = this.counters.pliSent & 0xff;
      parts.push(fir);
    }
    this.counters.pliSent++;
    this.#sendRtcp(Buffer.concat(parts));
  }

  #receiverReport(): Buffer {
    const report = Buffer.alloc(8);
    report[0] = 0x80;
    report[1] = RTCP_RECEIVER_REPORT;
    report.writeUInt16BE(1, 2);
    report.writeUInt32BE(this.#localSsrc >>> 0, 4);
    return report;
  }

  #sendReceiverReport(): void {
    if (this.#remoteSsrc !== undefined) this.#sendRtcp(this.#receiverReport());
  }

  #sendRtcp(packet: Buffer): void {
    const peer = this.#peer;
    if (!peer || this.#closed) return;
    const srtp = this.#settings?.srtp;
    const wire = srtp ? srtp.outbound.protectRtcp(packet) : packet;
    const socket = this.#settings?.rtcpMux ? this.#sockets.rtp : this.#sockets.rtcp;
    socket.send(wire, peer.rtcpPort, peer.address);
  }
}

function isUnspecified(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

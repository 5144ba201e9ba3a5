import type { Socket } from 'node:dgram';
import {
  ProtectionProfileAeadAes128Gcm,
  type RTCDtlsTransport,
  type RTCRtpSender,
  StunProtocol,
} from 'werift';
import { MuxedUdpTransport } from './iceMux/MuxedUdpTransport.js';
import { NativeSrtpStream } from './srtp/NativeSrtpStream.js';
import { type NativeSrtpBinding, udpDescriptor } from './srtp/nativeSrtpBinding.js';
import { RolloverCounter } from './srtp/RolloverCounter.js';
import { type OutgoingHeaderExtensions, RtpHeaderWriter } from './srtp/RtpHeaderWriter.js';
import {
  emptyOutgoingRtp,
  type OutgoingRtp,
  SrtpStreamEncoder,
  type SrtpStreamParameters,
} from './srtp/SrtpStreamEncoder.js';
import type { PooledSrtpStream, SrtpWorkerPool } from './srtp/SrtpWorkerPool.js';
import {
  iceConnectionInternals,
  type SenderInternals,
  type SrtpSessionInternals,
  senderInternals,
  srtpSessionOf,
} from './weriftInternals.js';

const MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const ABS_SEND_TIME_URI = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
const NTP_UNIX_OFFSET_SECONDS = 2_208_988_800;

/** How a direct sender encrypts: worker threads, the native addon, or else node:crypto here. */
export interface DirectEncryption {
  readonly workers?: SrtpWorkerPool | undefined;
  readonly native?: NativeSrtpBinding | undefined;
}

/**
 * Sends one RTP stream of a werift sender straight to the peer, doing per packet only what must
 * be done per packet: write a header from a template, encrypt (SRTP AEAD_AES_128_GCM), and hand
 * header, ciphertext and tag to the ICE socket as one datagram. werift's own send path costs
 * about three times as much (it clones the packet, rebuilds header extensions, formats NTP time
 * through strings and concatenates buffers); ICE, DTLS, RTCP and the keys stay werift's.
 *
 * With the native addon (the default where it is built), encryption and sendmsg(2) are one call
 * into C with a cipher context kept per stream: about a fifth of node:crypto plus dgram per
 * packet. On the ICE UDP mux's socket, the packet is encrypted into a batch instead, and the
 * copies for every subscriber leave together in one sendmmsg(2). With a worker pool, that call runs on a worker thread, on the worker's own duplicate of
 * the ICE socket's descriptor; a JavaScript pool encrypts there with node:crypto and hands the
 * datagram back to be sent here.
 *
 * It keeps the sender's Sender Report fields (packet and octet counts, RTP/NTP timestamp of the
 * last packet) current, so werift's RTCP loop and getStats see what was sent.
 */
export class DirectRtpSender {
  readonly #sender: SenderInternals;
  readonly #dtlsTransport: RTCDtlsTransport;
  readonly #session: SrtpSessionInternals;
  readonly #parameters: SrtpStreamParameters;
  /** node:crypto encryption on this thread: without addon or pool, and for TURN/TCP pairs. */
  #encoder: SrtpStreamEncoder | undefined;
  readonly #pooled: PooledSrtpStream | undefined;
  readonly #native: NativeSrtpStream | undefined;
  /** Header + tag bytes of a packet, for the statistics of packets a worker sends. */
  readonly #overheadBytes: number;
  /**
   * Where the native sender (here or on a worker) was last aimed; `batched` when the socket is
   * the ICE UDP mux's, shared with other subscribers: packets are then queued and leave in one
   * sendmmsg with the other subscribers' copies (see NativeSendBatch).
   */
  #aimedAt: { socket: Socket; address: string; port: number; batched: boolean } | undefined;
  readonly #rollover = new RolloverCounter();
  /** Reused: the encoder and the pool read it synchronously. */
  readonly #packet = emptyOutgoingRtp();
  readonly #transmit = (datagram: Buffer) => this.#sendDatagram(datagram);
  #lastSentAtEpochMs = 0;
  #closed = false;

  /**
   * The direct path for `sender`, or undefined when it cannot be used: DTLS not connected yet, or
   * an SRTP profile other than AEAD_AES_128_GCM (werift's path then sends, as before).
   */
  static forSender(
    sender: RTCRtpSender,
    encryption: DirectEncryption = {},
  ): DirectRtpSender | undefined {
    const dtlsTransport = sender.dtlsTransport;
    if (dtlsTransport?.state !== 'connected') return undefined;
    const session = srtpSessionOf(dtlsTransport);
    if (session?.config.profile !== ProtectionProfileAeadAes128Gcm) return undefined;
    return new DirectRtpSender(sender, dtlsTransport, session, encryption);
  }

  private constructor(
    sender: RTCRtpSender,
    dtlsTransport: RTCDtlsTransport,
    session: SrtpSessionInternals,
    { workers, native }: DirectEncryption,
  ) {
    this.#sender = senderInternals(sender);
    this.#dtlsTransport = dtlsTransport;
    this.#session = session;
    const { srtpSessionKey, srtpSessionSalt } = session.localContext.cipher;
    const parameters = {
      sessionKey: srtpSessionKey,
      sessionSalt: srtpSessionSalt,
      ssrc: sender.ssrc,
      extensions: negotiatedExtensions(this.#sender),
    };
    this.#parameters = parameters;
    this.#overheadBytes = new RtpHeaderWriter(sender.ssrc, parameters.extensions).length + 16;
    if (workers) this.#pooled = workers.openStream(parameters);
    else if (native) this.#native = new NativeSrtpStream(native, parameters);
    else this.#encoder = new SrtpStreamEncoder(parameters);
    this.#keepSenderReportCurrent(sender);
  }

  /** Whether this path still matches the DTLS session (a new handshake brings new keys). */
  get usable(): boolean {
    return (
      !this.#closed &&
      this.#dtlsTransport.state === 'connected' &&
      srtpSessionOf(this.#dtlsTransport) === this.#session
    );
  }

  send(
    payloadType: number,
    sequenceNumber: number,
    timestamp: number,
    marker: boolean,
    payload: Buffer,
  ): void {
    if (!this.#encode(payloadType, sequenceNumber, timestamp, marker, payload)) return;
    this.#countSent(timestamp, payload.length, this.#packet.sentAtMs);
  }

  /**
   * Resends a packet sent before (a NACK answer). Unlike `send`, it leaves the Sender Report
   * fields alone: an old RTP timestamp paired with the current time would skew the receiver's
   * audio/video sync.
   */
  resend(
    payloadType: number,
    sequenceNumber: number,
    timestamp: number,
    marker: boolean,
    payload: Buffer,
  ): void {
    this.#encode(payloadType, sequenceNumber, timestamp, marker, payload);
  }

  /** Encrypts and sends one packet; false when nothing may be sent (closed, no ICE consent). */
  #encode(
    payloadType: number,
    sequenceNumber: number,
    timestamp: number,
    marker: boolean,
    payload: Buffer,
  ): boolean {
    if (this.#closed || !iceConnectionInternals(this.#dtlsTransport).canSendApplicationData()) {
      return false;
    }
    const packet = this.#packet;
    packet.payloadType = payloadType;
    packet.sequenceNumber = sequenceNumber;
    packet.timestamp = timestamp;
    packet.marker = marker;
    packet.sentAtMs = performance.now();
    packet.rolloverCounter = this.#rollover.next(sequenceNumber);
    if (this.#pooled && !this.#pooled.sendsItself) {
      this.#pooled.encode(packet, payload, this.#transmit);
    } else if (!this.#sendNatively(packet, payload)) {
      this.#encoder ??= new SrtpStreamEncoder(this.#parameters);
      const [header, ciphertext, tag] = this.#encoder.encode(packet, payload);
      this.#sendDatagram(header, ciphertext, tag);
    }
    return true;
  }

  /**
   * Sends through the addon, here or on a worker, when there is one and the pair is plain UDP;
   * false when the packet must go through node:crypto and dgram here (TURN/TCP pair, or a socket
   * whose descriptor cannot be read).
   */
  #sendNatively(packet: OutgoingRtp, payload: Buffer): boolean {
    const target = this.#native ?? this.#pooled;
    if (!target) return false;
    const pair = this.#dtlsTransport.iceTransport.connection.nominated;
    if (!pair) return true; // nothing to send on, as #sendDatagram
    const protocol = pair.protocol;
    if (!(protocol instanceof StunProtocol)) return false;
    if (protocol.transport.closed) return true;
    const socket = protocol.transport.socket;
    const [address, port] = pair.remoteAddr;
    let aimed = this.#aimedAt;
    if (aimed?.socket !== socket || aimed.address !== address || aimed.port !== port) {
      const fd = udpDescriptor(socket);
      if (fd === undefined) return false;
      const batched = protocol.transport instanceof MuxedUdpTransport;
      const ipv6Socket = socket.address().family === 'IPv6';
      target.setDestination({ fd, address, port, ipv6Socket, batched });
      aimed = { socket, address, port, batched };
      this.#aimedAt = aimed;
    }
    if (this.#native) {
      const sent = aimed.batched
        ? this.#native.queue(packet, payload)
        : this.#native.send(packet, payload);
      if (sent <= 0) return true; // refused by the kernel: lost, as on the wire
      this.#dtlsTransport.packetsSent++;
      this.#dtlsTransport.bytesSent += sent;
    } else {
      this.#pooled?.encode(packet, payload);
      this.#dtlsTransport.packetsSent++;
      this.#dtlsTransport.bytesSent += payload.length + this.#overheadBytes;
    }
    return true;
  }

  /** Stops sending; a worker forgets the stream's keys. */
  close(): void {
    this.#closed = true;
    this.#pooled?.close();
    this.#native?.close();
  }

  /** Sends the parts of one datagram on the nominated candidate pair. */
  #sendDatagram(...parts: Buffer[]): void {
    const pair = this.#dtlsTransport.iceTransport.connection.nominated;
    if (this.#closed || !pair) return;
    const [address, port] = pair.remoteAddr;
    const protocol = pair.protocol;
    if (protocol instanceof StunProtocol) {
      if (protocol.transport.closed) return;
      protocol.transport.socket.send(parts, port, address);
    } else {
      // TURN or TCP: rare, and framed by werift.
      protocol.sendData(Buffer.concat(parts), pair.remoteAddr).catch(() => {});
    }
    this.#dtlsTransport.packetsSent++;
    for (const part of parts) this.#dtlsTransport.bytesSent += part.length;
  }

  #countSent(timestamp: number, payloadBytes: number, sentAtMs: number): void {
    const sender = this.#sender;
    sender.packetCount = (sender.packetCount + 1) >>> 0;
    sender.octetCount += payloadBytes;
    sender.rtpTimestamp = timestamp;
    this.#lastSentAtEpochMs = performance.timeOrigin + sentAtMs;
  }

  /**
   * werift fills `ntpTimestamp` per packet (through string formatting); here it is computed only
   * when a Sender Report reads it, from the time the last packet was sent.
   */
  #keepSenderReportCurrent(sender: RTCRtpSender): void {
    Object.defineProperty(sender, 'ntpTimestamp', {
      configurable: true,
      get: () => ntpTimestampOf(this.#lastSentAtEpochMs),
      set: () => {},
    });
    this.#sender.runRtcp().catch(() => {});
  }
}

function negotiatedExtensions(sender: SenderInternals): OutgoingHeaderExtensions {
  const idOf = (uri: string) => sender.headerExtensions.find((ext) => ext.uri === uri)?.id;
  const midId = idOf(MID_URI);
  return {
    mid: midId !== undefined && sender.mid ? { id: midId, value: sender.mid } : undefined,
    absSendTimeId: idOf(ABS_SEND_TIME_URI),
  };
}

/** A 64-bit NTP timestamp (RFC 3550 §4) of a Unix time in milliseconds. */
export function ntpTimestampOf(epochMs: number): bigint {
  const seconds = Math.floor(epochMs / 1000);
  const fraction = Math.floor(((epochMs - seconds * 1000) / 1000) * 2 ** 32);
  return (BigInt(seconds + NTP_UNIX_OFFSET_SECONDS) << 32n) | BigInt(fraction);
}

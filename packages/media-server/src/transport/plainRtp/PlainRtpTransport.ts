import { randomBytes, randomInt } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import type { MediaCodec, MediaNode, MediaType } from '../../graph/index.js';
import { MediaFlowMeter } from '../../graph/MediaFlowMeter.js';
import { TypedEventEmitter } from '../../graph/TypedEventEmitter.js';
import { CODEC_RULES, describeSupportedCodecs } from '../codecPolicy.js';
import type { ConnectionState, MediaState, StateChange } from '../types.js';
import {
  type LocalMedia,
  parseSdp,
  reverseDirection,
  type SdpCodec,
  type SdpDirection,
  type SdpMedia,
  type SdpSession,
  SdpSyntaxError,
  writeSdp,
} from './plainSdp.js';
import { RtpMediaStream } from './RtpMediaStream.js';
import { bindRtpPortPair, PortAllocationError, type PortRange } from './RtpPortPair.js';
import {
  formatCryptoAttribute,
  parseCryptoAttribute,
  type SdesCryptoSuite,
  SdesError,
  type SrtpKeyMaterial,
  supportedSdpSuiteNames,
} from './SdesCryptoSuite.js';
import { SrtpAesCmSession } from './SrtpAesCmSession.js';

/** Kurento reports MediaState DISCONNECTED after this long without a packet from the peer. */
const MEDIA_STATE_TIMEOUT_MS = 5000;
const CRYPTO_TAG = 1;

/** Why negotiation failed; the code maps to a Kurento error of the element. */
export type PlainRtpErrorCode =
  | 'SDP_PARSE_ERROR'
  | 'SDP_END_POINT_PROCESS_OFFER_ERROR'
  | 'SDP_END_POINT_PROCESS_ANSWER_ERROR'
  | 'SDP_END_POINT_GENERATE_OFFER_ERROR'
  | 'SDP_END_POINT_ALREADY_NEGOTIATED'
  | 'SDP_END_POINT_NOT_OFFER_GENERATED'
  | 'SDP_END_POINT_ANSWER_ALREADY_PROCCESED';

/** A negotiation error of a {@link PlainRtpTransport}, with the Kurento error type it stands for. */
export class PlainRtpError extends Error {
  readonly code: PlainRtpErrorCode;
  constructor(code: PlainRtpErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PlainRtpError';
    this.code = code;
  }
}

/** The options of a {@link PlainRtpTransport}. */
export interface PlainRtpTransportOptions {
  /** The ports to bind RTP/RTCP pairs in (the server's `--ice-port-range`); any when absent. */
  readonly portRange?: PortRange | undefined;
  /** The address written in `c=`; by default the first external IPv4 interface, else loopback. */
  readonly announcedAddress?: string | undefined;
  /** Bind IPv6 sockets and announce an IPv6 address (Kurento's `useIpv6`). */
  readonly ipv6?: boolean;
  /** SDES-SRTP with our key: the SDP says RTP/SAVP and carries `a=crypto`; none is plain RTP. */
  readonly crypto?: SrtpKeyMaterial | undefined;
}

/** The events of a {@link PlainRtpTransport}. */
export interface PlainRtpTransportEvents {
  [event: string]: unknown[];
  /** Negotiation completed (CONNECTED) or the transport was closed (DISCONNECTED). */
  connectionstatechange: [StateChange<ConnectionState>];
  /** Packets from the peer started or stopped arriving (RTP or RTCP). */
  mediastatechange: [StateChange<MediaState>];
}

/** The SRTP sessions of one medium, and the tag of the peer's `a=crypto` line we took. */
interface NegotiatedSrtp {
  readonly remoteTag: number;
  readonly outbound: SrtpAesCmSession;
  readonly inbound: SrtpAesCmSession;
}

/** What we offered, kept until the answer comes. */
interface Offered {
  readonly media: readonly LocalMedia[];
}

/** The codecs an RtpEndpoint negotiates: the server's, with any H.264 profile (GStreamer decodes them). */
function acceptsCodec(kind: string, codec: SdpCodec): boolean {
  return CODEC_RULES.some(
    (rule) =>
      rule.kind === kind &&
      rule.name.toLowerCase() === codec.name.toLowerCase() &&
      rule.clockRate === codec.clockRate &&
      (rule.name !== 'VP9' || rule.accepts(codec.parameters)),
  );
}

function offeredCodecs(kind: 'audio' | 'video'): SdpCodec[] {
  const feedback = kind === 'video' ? ['nack', 'nack pli', 'ccm fir'] : [];
  return CODEC_RULES.filter((rule) => rule.kind === kind).map((rule) => ({
    payloadType: rule.payloadType,
    name: rule.name,
    clockRate: rule.clockRate,
    ...(rule.channels !== undefined ? { channels: rule.channels } : {}),
    ...(rule.parameters ? { parameters: rule.parameters } : {}),
    feedback,
  }));
}

function toMediaCodec(kind: string, codec: SdpCodec): MediaCodec {
  const channels = codec.channels ?? (codec.name.toLowerCase() === 'opus' ? 2 : undefined);
  return {
    mimeType: `${kind}/${codec.name}`,
    payloadType: codec.payloadType,
    clockRate: codec.clockRate,
    ...(channels !== undefined && channels > 1 ? { channels } : {}),
    ...(codec.parameters ? { parameters: codec.parameters } : {}),
  };
}

function defaultAddress(ipv6: boolean): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (!address.internal && address.family === (ipv6 ? 'IPv6' : 'IPv4')) return address.address;
    }
  }
  return ipv6 ? '::1' : '127.0.0.1';
}

function mediaTypeOf(kind: string): MediaType | undefined {
  if (kind === 'audio') return 'AUDIO';
  if (kind === 'video') return 'VIDEO';
  return undefined;
}

/**
 * Plain RTP/AVP (or RTP/SAVP with SDES keys) to a peer that negotiates with SDP offer/answer and
 * no ICE: ffmpeg, GStreamer, SIP gateways, IP cameras. One {@link RtpMediaStream} per medium,
 * each on an RTP/RTCP port pair of the configured range.
 */
export class PlainRtpTransport extends TypedEventEmitter<PlainRtpTransportEvents> {
  readonly #node: MediaNode;
  readonly #options: PlainRtpTransportOptions;
  readonly #address: string;
  readonly #sessionId = String(randomInt(1, 2 ** 47));
  /** The RTCP CNAME of every medium: receivers pair our audio and video by it. */
  readonly #cname = `medley-${randomBytes(9).toString('base64url')}`;
  readonly #streams = new Map<MediaType, RtpMediaStream>();
  readonly #mediaMeter: MediaFlowMeter;
  #offered: Offered | undefined;
  #localSdp: string | undefined;
  #remoteSdp: string | undefined;
  #negotiated = false;
  #busy = false;
  #connection: ConnectionState = 'DISCONNECTED';
  #media: MediaState = 'DISCONNECTED';
  #closed = false;

  constructor(node: MediaNode, options: PlainRtpTransportOptions) {
    super();
    this.#node = node;
    this.#options = options;
    this.#address = options.announcedAddress ?? defaultAddress(options.ipv6 ?? false);
    this.#mediaMeter = new MediaFlowMeter(MEDIA_STATE_TIMEOUT_MS, (state) =>
      this.#setMediaState(state === 'FLOWING' ? 'CONNECTED' : 'DISCONNECTED'),
    );
  }

  /** CONNECTED once offer and answer are applied, until closed. */
  get connectionState(): ConnectionState {
    return this.#connection;
  }

  /** CONNECTED while packets arrive from the peer. */
  get mediaState(): MediaState {
    return this.#media;
  }

  /** Our SDP (offer, or answer once negotiated), if any yet. */
  get localSdp(): string | undefined {
    return this.#localSdp;
  }

  /** The peer's SDP, if any yet. */
  get remoteSdp(): string | undefined {
    return this.#remoteSdp;
  }

  /** The media streams negotiated so far, by media type (stats). */
  get streams(): ReadonlyMap<MediaType, RtpMediaStream> {
    return this.#streams;
  }

  /** Offers audio and video with every codec the server negotiates, sendrecv. */
  async generateOffer(): Promise<string> {
    return this.#exclusive(async () => {
      if (this.#negotiated || this.#offered) {
        throw new PlainRtpError(
          'SDP_END_POINT_ALREADY_NEGOTIATED',
          'This RtpEndpoint already made an offer or answered one: create a new RtpEndpoint to negotiate again',
        );
      }
      const media: LocalMedia[] = [];
      for (const kind of ['audio', 'video'] as const) {
        const stream = await this.#openStream(
          kind === 'audio' ? 'AUDIO' : 'VIDEO',
          'SDP_END_POINT_GENERATE_OFFER_ERROR',
        ).catch((error: unknown) => {
          // Ports of the media opened before are given back at once, not at release.
          for (const mediaType of [...this.#streams.keys()]) this.#closeStream(mediaType);
          throw error;
        });
        media.push({
          kind,
          port: stream.rtpPort,
          protocol: this.#protocol(),
          codecs: offeredCodecs(kind),
          direction: 'sendrecv',
          rtcpPort: stream.rtcpPort,
          rtcpMux: false,
          ...(this.#options.crypto
            ? { crypto: formatCryptoAttribute(CRYPTO_TAG, this.#options.crypto) }
            : {}),
        });
      }
      this.#offered = { media };
      this.#localSdp = this.#write(media);
      return this.#localSdp;
    });
  }

  /** Applies the peer's answer to our offer; returns our offer (the local SDP). */
  async processAnswer(answer: string): Promise<string> {
    return this.#exclusive(async () => {
      const offered = this.#offered;
      if (!offered) {
        throw new PlainRtpError(
          'SDP_END_POINT_NOT_OFFER_GENERATED',
          'processAnswer needs an offer of this RtpEndpoint: call generateOffer first',
        );
      }
      if (this.#negotiated) {
        throw new PlainRtpError(
          'SDP_END_POINT_ANSWER_ALREADY_PROCCESED',
          'This RtpEndpoint already processed an answer: create a new RtpEndpoint to negotiate again',
        );
      }
      const session = this.#parse(answer);
      let started = 0;
      for (const [index, local] of offered.media.entries()) {
        const remote = session.media[index];
        const mediaType = mediaTypeOf(local.kind) as MediaType;
        if (!remote || remote.kind !== local.kind || remote.port === 0) {
          this.#closeStream(mediaType);
          continue;
        }
        const codecs = remote.codecs.filter((codec) =>
          local.codecs.some(
            (ours) =>
              ours.name.toLowerCase() === codec.name.toLowerCase() &&
              ours.clockRate === codec.clockRate,
          ),
        );
        if (codecs.length === 0) {
          throw new PlainRtpError(
            'SDP_END_POINT_PROCESS_OFFER_ERROR',
            `The answer's m=${remote.kind} has no codec of the offer (offered ${local.codecs.map((codec) => codec.name).join(', ')})`,
          );
        }
        this.#checkProtocol(remote, 'SDP_END_POINT_PROCESS_ANSWER_ERROR');
        const srtp = this.#srtpFor(remote, 'SDP_END_POINT_PROCESS_ANSWER_ERROR');
        this.#start(mediaType, remote, codecs, reverseDirection(remote.direction), srtp);
        started++;
      }
      if (started === 0) {
        throw new PlainRtpError(
          'SDP_END_POINT_PROCESS_ANSWER_ERROR',
          'The answer accepts neither audio nor video (every m= line rejected or missing)',
        );
      }
      this.#remoteSdp = answer;
      this.#completeNegotiation();
      return this.#localSdp as string;
    });
  }

  /** Answers the peer's offer: each audio/video m= line it can take, the others rejected (port 0). */
  async processOffer(offer: string): Promise<string> {
    return this.#exclusive(async () => {
      if (this.#negotiated || this.#offered) {
        throw new PlainRtpError(
          'SDP_END_POINT_ALREADY_NEGOTIATED',
          'This RtpEndpoint already negotiated: create a new RtpEndpoint to negotiate again',
        );
      }
      const session = this.#parse(offer);
      try {
        return await this.#answer(offer, session);
      } catch (error) {
        for (const mediaType of [...this.#streams.keys()]) this.#closeStream(mediaType);
        throw error;
      }
    });
  }

  async #answer(offer: string, session: SdpSession): Promise<string> {
    {
      const answers: LocalMedia[] = [];
      const reasons: string[] = [];
      const accepted: {
        mediaType: MediaType;
        remote: SdpMedia;
        codecs: SdpCodec[];
        direction: SdpDirection;
        srtp: NegotiatedSrtp | undefined;
      }[] = [];
      for (const remote of session.media) {
        const mediaType = mediaTypeOf(remote.kind);
        const rejected: LocalMedia = {
          kind: remote.kind,
          port: 0,
          protocol: remote.protocol,
          codecs: [],
          direction: 'inactive',
          rtcpPort: 0,
          rtcpMux: false,
          rejectedFormats: remote.codecs.map((codec) => codec.payloadType),
        };
        const codecs = remote.codecs.filter((codec) => acceptsCodec(remote.kind, codec));
        if (
          !mediaType ||
          remote.port === 0 ||
          this.#streams.has(mediaType) ||
          !remote.protocol.startsWith('RTP/')
        ) {
          answers.push(rejected);
          continue;
        }
        if (codecs.length === 0) {
          reasons.push(
            `m=${remote.kind} offers ${remote.codecs.map((codec) => `${codec.name}/${codec.clockRate}`).join(', ') || 'no codec'}`,
          );
          answers.push(rejected);
          continue;
        }
        this.#checkProtocol(remote, 'SDP_END_POINT_PROCESS_OFFER_ERROR');
        const srtp = this.#srtpFor(remote, 'SDP_END_POINT_PROCESS_OFFER_ERROR');
        const stream = await this.#openStream(mediaType, 'SDP_END_POINT_PROCESS_OFFER_ERROR');
        const direction = reverseDirection(remote.direction);
        const tag = srtp?.remoteTag;
        answers.push({
          kind: remote.kind,
          port: stream.rtpPort,
          protocol: remote.protocol,
          codecs: codecs.map((codec) => ({
            ...codec,
            feedback: codec.feedback.filter(isHandledFeedback),
          })),
          direction,
          rtcpPort: remote.rtcpMux ? stream.rtpPort : stream.rtcpPort,
          rtcpMux: remote.rtcpMux,
          ...(srtp && this.#options.crypto
            ? { crypto: formatCryptoAttribute(tag ?? CRYPTO_TAG, this.#options.crypto) }
            : {}),
          ...(remote.mid !== undefined ? { mid: remote.mid } : {}),
        });
        accepted.push({ mediaType, remote, codecs, direction, srtp });
      }
      if (accepted.length === 0) {
        throw new PlainRtpError(
          'SDP_END_POINT_PROCESS_OFFER_ERROR',
          `The offer has no audio or video this RtpEndpoint can take${reasons.length ? ` (${reasons.join('; ')})` : ''}: it negotiates ${describeSupportedCodecs().replace(' (packetization-mode=1, profile 42e0xx)', '')}`,
        );
      }
      for (const { mediaType, remote, codecs, direction, srtp } of accepted) {
        this.#start(mediaType, remote, codecs, direction, srtp);
      }
      this.#remoteSdp = offer;
      this.#localSdp = this.#write(answers);
      this.#completeNegotiation();
      return this.#localSdp;
    }
  }

  /** Asks the peer for a keyframe of the video it sends (RTCP PLI). */
  requestKeyframe(): void {
    this.#node.source('VIDEO').requestKeyframe();
  }

  /** Closes every socket; reports DISCONNECTED. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const mediaType of [...this.#streams.keys()]) this.#closeStream(mediaType);
    this.#mediaMeter.stop();
    this.#setMediaState('DISCONNECTED');
    this.#setConnectionState('DISCONNECTED');
  }

  #protocol(): string {
    return this.#options.crypto ? 'RTP/SAVP' : 'RTP/AVP';
  }

  #parse(text: string): SdpSession {
    try {
      return parseSdp(text);
    } catch (error) {
      if (error instanceof SdpSyntaxError) {
        throw new PlainRtpError('SDP_PARSE_ERROR', `Cannot read the SDP: ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  #checkProtocol(remote: SdpMedia, code: PlainRtpErrorCode): void {
    const secure = remote.protocol.includes('SAVP');
    if (secure && !this.#options.crypto) {
      throw new PlainRtpError(
        code,
        `m=${remote.kind} asks for SRTP (${remote.protocol}): create the RtpEndpoint with a crypto parameter (SDES) to take it`,
      );
    }
    if (!secure && this.#options.crypto) {
      throw new PlainRtpError(
        code,
        `m=${remote.kind} is plain ${remote.protocol}, but this RtpEndpoint was created with crypto and only speaks RTP/SAVP`,
      );
    }
  }

  /** The SRTP sessions for a medium of the peer's SDP, or undefined for plain RTP. */
  #srtpFor(remote: SdpMedia, code: PlainRtpErrorCode): NegotiatedSrtp | undefined {
    const local = this.#options.crypto;
    if (!local) return undefined;
    this.#checkProtocol(remote, code);
    const ours: SdesCryptoSuite = local.suite;
    const offered: string[] = [];
    for (const line of remote.crypto) {
      let attribute: ReturnType<typeof parseCryptoAttribute>;
      try {
        attribute = parseCryptoAttribute(line);
      } catch (error) {
        if (error instanceof SdesError)
          throw new PlainRtpError(code, error.message, { cause: error });
        throw error;
      }
      offered.push(line.split(/\s+/)[1] ?? '?');
      if (attribute && attribute.material.suite === ours) {
        return {
          remoteTag: attribute.tag,
          outbound: new SrtpAesCmSession(local),
          inbound: new SrtpAesCmSession(attribute.material),
        };
      }
    }
    throw new PlainRtpError(
      code,
      offered.length === 0
        ? `m=${remote.kind} is ${remote.protocol} without an a=crypto line: SDES needs the peer's key`
        : `m=${remote.kind} offers the crypto suites ${offered.join(', ')}, but this RtpEndpoint uses ${ours.sdpName} (supported: ${supportedSdpSuiteNames()})`,
    );
  }

  async #openStream(mediaType: MediaType, code: PlainRtpErrorCode): Promise<RtpMediaStream> {
    const existing = this.#streams.get(mediaType);
    if (existing) return existing;
    let sockets: Awaited<ReturnType<typeof bindRtpPortPair>>;
    try {
      sockets = await bindRtpPortPair(
        this.#options.portRange,
        this.#options.ipv6 ? 'udp6' : 'udp4',
      );
    } catch (error) {
      if (error instanceof PortAllocationError)
        throw new PlainRtpError(code, error.message, { cause: error });
      throw error;
    }
    const stream = new RtpMediaStream(
      sockets,
      { source: this.#node.source(mediaType), sink: this.#node.sink(mediaType) },
      { onActivity: () => this.#mediaMeter.count(), onGoodbye: () => this.#onPeerGoodbye() },
    );
    if (this.#closed) stream.close();
    else this.#streams.set(mediaType, stream);
    return stream;
  }

  #closeStream(mediaType: MediaType): void {
    this.#streams.get(mediaType)?.close();
    this.#streams.delete(mediaType);
  }

  #start(
    mediaType: MediaType,
    remote: SdpMedia,
    codecs: readonly SdpCodec[],
    ourDirection: SdpDirection,
    srtp: NegotiatedSrtp | undefined,
  ): void {
    const stream = this.#streams.get(mediaType);
    if (!stream) return;
    const graphCodecs = codecs.map((codec) => toMediaCodec(remote.kind, codec));
    const receiving = ourDirection === 'sendrecv' || ourDirection === 'recvonly';
    const sending = ourDirection === 'sendrecv' || ourDirection === 'sendonly';
    stream.start({
      peer: remote.address
        ? { address: remote.address, rtpPort: remote.port, rtcpPort: remote.rtcpPort }
        : undefined,
      rtcpMux: remote.rtcpMux,
      receiveCodecs: receiving ? graphCodecs : [],
      sendCodecs: sending ? graphCodecs : [],
      firNegotiated: codecs.some((codec) => codec.feedback.includes('ccm fir')),
      cname: this.#cname,
      ...(srtp ? { srtp: { outbound: srtp.outbound, inbound: srtp.inbound } } : {}),
    });
  }

  /**
   * The peer said goodbye (RTCP BYE) for what it sent: once it has for every medium it sends,
   * MediaState is DISCONNECTED at once rather than after the silence timeout; media from it
   * again (a restarted ffmpeg) makes it CONNECTED again.
   */
  #onPeerGoodbye(): void {
    if ([...this.#streams.values()].some((stream) => !stream.peerLeft)) return;
    this.#mediaMeter.stop();
    this.#setMediaState('DISCONNECTED');
  }

  #completeNegotiation(): void {
    this.#negotiated = true;
    this.#setConnectionState('CONNECTED');
  }

  #write(media: readonly LocalMedia[]): string {
    return writeSdp({ address: this.#address, sessionId: this.#sessionId, version: 1, media });
  }

  async #exclusive<R>(operation: () => Promise<R>): Promise<R> {
    if (this.#busy) {
      throw new PlainRtpError(
        'SDP_END_POINT_ALREADY_NEGOTIATED',
        'This RtpEndpoint is negotiating already: wait for the previous call to finish',
      );
    }
    this.#busy = true;
    try {
      return await operation();
    } finally {
      this.#busy = false;
    }
  }

  #setConnectionState(state: ConnectionState): void {
    if (state === this.#connection) return;
    const oldState = this.#connection;
    this.#connection = state;
    this.emit('connectionstatechange', { oldState, newState: state });
  }

  #setMediaState(state: MediaState): void {
    if (state === this.#media) return;
    const oldState = this.#media;
    this.#media = state;
    this.emit('mediastatechange', { oldState, newState: state });
  }
}

/** The feedback an RtpEndpoint acts on: generic NACK (answered from its send history), PLI, FIR. */
function isHandledFeedback(feedback: string): boolean {
  return feedback === 'nack' || feedback === 'nack pli' || feedback === 'ccm fir';
}

import type { IceUdpMux } from './iceMux/IceUdpMux.js';
import type { NativeSrtpBinding } from './srtp/nativeSrtpBinding.js';
import type { SrtpWorkerPool } from './srtp/SrtpWorkerPool.js';
/** A trickle-ICE candidate, shaped like Kurento's `IceCandidate` and the browser's init dict. */
export interface IceCandidate {
  /** The `candidate:...` attribute value (without `a=`). */
  readonly candidate: string;
  readonly sdpMid: string;
  readonly sdpMLineIndex: number;
}

/** An ICE server, as in `RTCIceServer`. Only `stun:` and `turn:` URLs are used. */
export interface IceServer {
  readonly urls: string | readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

export interface WebRtcTransportOptions {
  /** Only receive media from the peer (Kurento WebRtcEndpoint `recvonly`). */
  readonly recvonly?: boolean;
  /** Only send media to the peer (Kurento WebRtcEndpoint `sendonly`). */
  readonly sendonly?: boolean;
  /**
   * Carry data channels (SCTP). With it, a generated offer includes an association and the
   * peer's channels join the node's DATA pads. Without it no channel is offered, and channels the
   * peer opens are closed at once (werift cannot answer a data m-line as rejected).
   */
  readonly useDataChannels?: boolean;
  /**
   * STUN/TURN servers used while gathering. Default none: the server never contacts a host it
   * was not told about (werift would otherwise query stun.l.google.com, and block gathering for
   * seconds where DNS does not answer).
   */
  readonly iceServers?: readonly IceServer[];
  /** UDP ports to bind ICE sockets in, inclusive (e.g. a firewall's range). Default: any. */
  readonly portRange?: { readonly min: number; readonly max: number };
  /**
   * One UDP socket shared by every transport given it (see IceUdpMux): the IPv4 host candidates
   * announce its port instead of binding a socket per transport, and the native sender batches
   * the copies of a packet for all its subscribers into one sendmmsg(2). Default: none, a socket
   * per transport.
   */
  readonly iceUdpMux?: IceUdpMux | undefined;
  /**
   * Addresses to announce instead of the host addresses, e.g. the public IPv4 of a NAT with a
   * 1:1 port mapping (Kurento `externalIPv4` / `externalIPv6`). Each host candidate is announced
   * with the port it is bound to, once per address given here.
   */
  readonly announcedAddresses?: readonly string[];
  /**
   * Extra local addresses to gather host candidates on. werift skips loopback interfaces, so
   * tests inside a loopback-only network namespace pass `['127.0.0.1']`.
   */
  readonly additionalHostAddresses?: readonly string[];
  /** Gather on IPv6 interfaces too. Default false (Kurento's default networks are IPv4). */
  readonly useIpv6?: boolean;
  /**
   * Resend the video packets the peer reports lost (RTCP Generic NACK) from a history of the
   * last 1024 sent per stream. Default true: without it every lost packet costs the receiver a
   * frozen picture until the next keyframe. Turned off only to measure what it brings.
   */
  readonly answerNacks?: boolean;
  /**
   * Worker threads that encrypt the media this transport sends (fan-out over every core);
   * without, it is encrypted on the calling thread.
   */
  readonly srtpWorkers?: SrtpWorkerPool | undefined;
  /**
   * The native SRTP addon (encryption and sendmsg in one C call, see DirectRtpSender); without
   * it the direct path encrypts with node:crypto and sends through dgram.
   */
  readonly nativeSrtp?: NativeSrtpBinding | undefined;
  /**
   * Send media through werift's own RTCRtpSender (about three times the CPU per packet) instead
   * of the direct SRTP path: a fallback, and the baseline of the fan-out benchmark.
   */
  readonly weriftSendPath?: boolean | undefined;
  /** For logs and error messages. */
  readonly name?: string;
}

/** Kurento's `IceComponentState`. */
export type IceComponentState =
  | 'DISCONNECTED'
  | 'GATHERING'
  | 'CONNECTING'
  | 'CONNECTED'
  | 'READY'
  | 'FAILED';

/** Kurento's `ConnectionState` and `MediaState`. */
export type ConnectionState = 'CONNECTED' | 'DISCONNECTED';
export type MediaState = 'CONNECTED' | 'DISCONNECTED';

export interface IceComponentStateChange {
  readonly state: IceComponentState;
  /** The m-line's stream index (werift bundles everything on stream 1). */
  readonly streamId: number;
  /** Always 1: RTCP is multiplexed on the RTP component. */
  readonly componentId: number;
}

/** Kurento's `IceCandidatePair`. */
export interface IceCandidatePair {
  readonly streamId: string;
  readonly componentId: number;
  readonly localCandidate: string;
  readonly remoteCandidate: string;
}

export interface StateChange<State> {
  readonly oldState: State;
  readonly newState: State;
}

/** Kurento's createDataChannel parameters; negative numbers mean "not set", as in Kurento. */
export interface DataChannelOptions {
  /** Whether messages arrive in the order sent; default true. */
  readonly ordered?: boolean;
  /** Milliseconds a message is retransmitted for before it is dropped (partial reliability). */
  readonly maxPacketLifeTime?: number;
  /** How many times a message is retransmitted before it is dropped (partial reliability). */
  readonly maxRetransmits?: number;
  /** The channel's subprotocol name, for the application. */
  readonly protocol?: string;
}

export interface DataChannelEvent {
  readonly channelId: number;
  readonly label: string;
}

export interface WebRtcTransportEvents {
  [event: string]: unknown[];
  /** A local candidate to send to the peer (trickle ICE). */
  icecandidate: [IceCandidate];
  /** All local candidates were emitted. */
  icegatheringdone: [];
  icecomponentstatechange: [IceComponentStateChange];
  newcandidatepairselected: [IceCandidatePair];
  /** ICE + DTLS connected or lost. */
  connectionstatechange: [StateChange<ConnectionState>];
  /** RTP started or stopped flowing in either direction (RTCP counts), as in Kurento. */
  mediastatechange: [StateChange<MediaState>];
  datachannelopened: [DataChannelEvent];
  datachannelclosed: [DataChannelEvent];
  /** The transport was closed, by `close()` or by the peer. */
  closed: [];
}

/** One entry of {@link WebRtcTransport.getStats}, in the shape of W3C `RTCStats`. */
export interface TransportStatsEntry {
  readonly id: string;
  readonly type: string;
  readonly timestamp: number;
  readonly [field: string]: unknown;
}

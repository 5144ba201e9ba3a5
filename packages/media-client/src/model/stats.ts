// The statistics types of Kurento's core.kmd.json, as `getStats()` answers them: every field of
// the kmd is present. Entries also carry the W3C webrtc-stats fields the server measures (`kind`,
// `mid`, `headerBytesReceived`, …), reachable through the index signature.

/**
 * Which stats an entry holds: Kurento's `StatsType` values, and the W3C names of the types its
 * enum lacks (`codec`, `certificate`, `stream`, and the W3C-only remote and media-source
 * entries).
 */
export type StatsType =
  | 'inboundrtp'
  | 'outboundrtp'
  | 'session'
  | 'datachannel'
  | 'track'
  | 'transport'
  | 'candidatepair'
  | 'localcandidate'
  | 'remotecandidate'
  | 'element'
  | 'endpoint'
  | 'codec'
  | 'certificate'
  | 'stream'
  | 'remoteinboundrtp'
  | 'remoteoutboundrtp'
  | 'mediasource';

/**
 * What every stats entry has (Kurento's `Stats`).
 *
 * @typeParam Type - the entry's {@link StatsType}.
 */
export interface StatsBase<Type extends StatsType = StatsType> {
  /** The id of the entry, which is also its key in the record `getStats()` returns. */
  id: string;
  /** Which stats these are: narrow on it to reach the fields of that type. */
  type: Type;
  /** When they were taken, in milliseconds since the epoch. */
  timestampMillis: number;
  /** Further fields: the W3C webrtc-stats ones the server measures for this type. */
  [field: string]: unknown;
}

/** The average latency of one input stream of an element (Kurento's `MediaLatencyStat`). */
export interface MediaLatencyStat {
  /** The sink pad the stream enters by, as Kurento names it: `sink_video_default`. */
  name: string;
  /** The stream's media. */
  type: 'AUDIO' | 'VIDEO';
  /** Average latency in nanoseconds (recent packets weigh most, as in Kurento). */
  avg: number;
}

/** The latency fields of an element's own entry. */
export interface ElementLatencyFields {
  /**
   * Per stream, the time media takes from entering the pipeline to this element's input, in
   * nanoseconds. Measured only while the pipeline's `latencyStats` is on: empty otherwise.
   */
  inputLatency: MediaLatencyStat[];
  /** Kurento 6's name for the audio entry of `inputLatency`, in nanoseconds; 0 when unmeasured. */
  inputAudioLatency: number;
  /** Kurento 6's name for the video entry of `inputLatency`, in nanoseconds; 0 when unmeasured. */
  inputVideoLatency: number;
}

/** An element's own entry, keyed by the element's id (Kurento's `ElementStats`). */
export interface ElementStats extends StatsBase<'element'>, ElementLatencyFields {}

/** An endpoint's own entry, keyed by its id (Kurento's `EndpointStats`). */
export interface EndpointStats extends StatsBase<'endpoint'>, ElementLatencyFields {
  /**
   * Per stream, the time media takes from entering the pipeline to leaving this endpoint (sent
   * to its peer, written by a recorder), in nanoseconds. Measured only while the pipeline's
   * `latencyStats` is on: empty otherwise.
   */
  E2ELatency: MediaLatencyStat[];
  /** Kurento 6's name for the audio entry of `E2ELatency`, in nanoseconds; 0 when unmeasured. */
  audioE2ELatency: number;
  /** Kurento 6's name for the video entry of `E2ELatency`, in nanoseconds; 0 when unmeasured. */
  videoE2ELatency: number;
}

/** What inbound and outbound RTP streams share (Kurento's `RTCRTPStreamStats`). */
export interface RTCRTPStreamStats {
  /** The SSRC, as a decimal string. */
  ssrc: string;
  /** The id of the entry the peer's RTCP reports about this stream fill ('' before one). */
  associateStatsId: string;
  /** Always false: remote measurements are folded into the local entry. */
  isRemote: boolean;
  /** The id of the stream's `track` entry. */
  mediaTrackId: string;
  /** The id of the `transport` entry. */
  transportId: string;
  /** The id of the `codec` entry. */
  codecId: string;
  /** FIRs sent (inbound) or received (outbound) for this stream. */
  firCount: number;
  /** PLIs sent (inbound) or received (outbound) for this stream. */
  pliCount: number;
  /** Generic NACKs sent (inbound) or received (outbound) for this stream. */
  nackCount: number;
  /** Slice Loss Indications: obsolete, always 0. */
  sliCount: number;
  /** The REMB, in bit/s: sent to the peer (inbound), received from it (outbound); 0 when none. */
  remb: number;
  /** Packets lost: counted here (inbound), or as the peer's receiver reports say (outbound). */
  packetsLost: number;
  /**
   * The fraction of packets lost in the last interval, as an RTCP report block says it: times
   * 256 (0 to 255), as Kurento reports it. Inbound: since the previous `getStats` call.
   */
  fractionLost: number;
}

/** A stream the peer sends (Kurento's `RTCInboundRTPStreamStats`). */
export interface RTCInboundRTPStreamStats extends StatsBase<'inboundrtp'>, RTCRTPStreamStats {
  /** Packets received. */
  packetsReceived: number;
  /** Payload bytes received. */
  bytesReceived: number;
  /** Interarrival jitter, in seconds. */
  jitter: number;
}

/** A stream sent to the peer (Kurento's `RTCOutboundRTPStreamStats`). */
export interface RTCOutboundRTPStreamStats extends StatsBase<'outboundrtp'>, RTCRTPStreamStats {
  /** Packets sent. */
  packetsSent: number;
  /** Payload bytes sent. */
  bytesSent: number;
  /** The bitrate sent since the previous `getStats` call, in bit/s (0 on the first call). */
  targetBitrate: number;
  /** Round-trip time from the peer's last receiver report, in seconds (0 before one). */
  roundTripTime: number;
}

/** A negotiated codec (Kurento's `RTCCodec`, W3C type `codec`). */
export interface RTCCodec extends StatsBase<'codec'> {
  /** The RTP payload type. */
  payloadType: number;
  /** The MIME type, e.g. `video/VP8`. */
  codec: string;
  /** The RTP clock rate. */
  clockRate: number;
  /** Audio channels; 0 for video. */
  channels: number;
  /** The codec's `a=fmtp` parameters ('' when none). */
  parameters: string;
}

/** The peer connection (Kurento's `RTCPeerConnectionStats`, type `session`). */
export interface RTCPeerConnectionStats extends StatsBase<'session'> {
  /** Data channels opened so far. */
  dataChannelsOpened: number;
  /** Data channels closed so far. */
  dataChannelsClosed: number;
}

/** A MediaStream the peer's SDP announces (Kurento's `RTCMediaStreamStats`, type `stream`). */
export interface RTCMediaStreamStats extends StatsBase<'stream'> {
  /** The stream's id (`a=msid`). */
  streamIdentifier: string;
  /** The ids of its `track` entries. */
  trackIds: string[];
}

/**
 * One track received from or sent to the peer (Kurento's `RTCMediaStreamTrackStats`). Frames
 * are counted where they cross the endpoint, without decoding: `framesDecoded`,
 * `framesDropped`, `framesCorrupted`, `audioLevel` and the echo fields are 0.
 */
export interface RTCMediaStreamTrackStats extends StatsBase<'track'> {
  /** The track's id (`a=msid`, or the id of its RTP entry when none is announced). */
  trackIdentifier: string;
  /** True for a track the peer sends. */
  remoteSource: boolean;
  /** The ids of the RTP entries carrying it. */
  ssrcIds: string[];
  /** Width of the last key frame, in pixels (video; 0 before one). */
  frameWidth: number;
  /** Height of the last key frame, in pixels (video; 0 before one). */
  frameHeight: number;
  /** Frames per second over the last second (video). */
  framesPerSecond: number;
  /** Frames sent (a track sent to the peer). */
  framesSent: number;
  /** Frames received (a track of the peer). */
  framesReceived: number;
  /** Always 0: the server forwards without decoding. */
  framesDecoded: number;
  /** Always 0. */
  framesDropped: number;
  /** Always 0. */
  framesCorrupted: number;
  /** Always 0: audio is not measured. */
  audioLevel: number;
  /** Always 0: no echo cancellation on a server. */
  echoReturnLoss: number;
  /** Always 0: no echo cancellation on a server. */
  echoReturnLossEnhancement: number;
}

/** The state of a data channel (Kurento's `RTCDataChannelState`). */
export type RTCDataChannelState = 'connecting' | 'open' | 'closing' | 'closed';

/** A data channel (Kurento's `RTCDataChannelStats`). */
export interface RTCDataChannelStats extends StatsBase<'datachannel'> {
  /** The channel's label. */
  label: string;
  /** Its subprotocol. */
  protocol: string;
  /** Its SCTP stream id; -1 before it has one. */
  datachannelid: number;
  /** Its state. */
  state: RTCDataChannelState;
  /** Messages sent. */
  messagesSent: number;
  /** Payload bytes sent. */
  bytesSent: number;
  /** Messages received. */
  messagesReceived: number;
  /** Payload bytes received. */
  bytesReceived: number;
}

/** The ICE and DTLS transport (Kurento's `RTCTransportStats`). */
export interface RTCTransportStats extends StatsBase<'transport'> {
  /** Bytes sent on it. */
  bytesSent: number;
  /** Bytes received on it. */
  bytesReceived: number;
  /** Always '': RTCP is multiplexed with RTP. */
  rtcpTransportStatsId: string;
  /** Whether DTLS is connected. */
  activeConnection: boolean;
  /** The id of the selected `candidatepair` entry. */
  selectedCandidatePairId: string;
  /** The id of the server's `certificate` entry. */
  localCertificateId: string;
  /** The id of the peer's `certificate` entry. */
  remoteCertificateId: string;
}

/** Kurento's `RTCStatsIceCandidateType`. */
export type RTCStatsIceCandidateType = 'host' | 'serverreflexive' | 'peerreflexive' | 'relayed';

/** An ICE candidate (Kurento's `RTCIceCandidateAttributes`). */
export interface RTCIceCandidateAttributes extends StatsBase<'localcandidate' | 'remotecandidate'> {
  /** Its address. */
  ipAddress: string;
  /** Its port. */
  portNumber: number;
  /** `udp` or `tcp`. */
  transport: string;
  /** Its type. */
  candidateType: RTCStatsIceCandidateType;
  /** Its priority. */
  priority: number;
  /** The STUN or TURN server that gave a local reflexive or relayed candidate; '' otherwise. */
  addressSourceUrl: string;
}

/** Kurento's `RTCStatsIceCandidatePairState`. */
export type RTCStatsIceCandidatePairState =
  | 'frozen'
  | 'waiting'
  | 'inprogress'
  | 'failed'
  | 'succeeded'
  | 'cancelled';

/** A candidate pair (Kurento's `RTCIceCandidatePairStats`). */
export interface RTCIceCandidatePairStats extends StatsBase<'candidatepair'> {
  /** The id of the `transport` entry. */
  transportId: string;
  /** The id of the local candidate's entry. */
  localCandidateId: string;
  /** The id of the remote candidate's entry. */
  remoteCandidateId: string;
  /** Its check state. */
  state: RTCStatsIceCandidatePairState;
  /** Its priority (RFC 8445; beyond 2^53 a number rounds it). */
  priority: number;
  /** Whether it was nominated. */
  nominated: boolean;
  /** Whether a check of ours was answered. */
  writable: boolean;
  /** Whether a check of the peer's arrived. */
  readable: boolean;
  /** Bytes sent on it. */
  bytesSent: number;
  /** Bytes received on it. */
  bytesReceived: number;
  /** The last STUN round-trip time, in seconds. */
  roundTripTime: number;
  /** The peer's REMB for the video sent on the nominated pair, in bit/s; 0 otherwise. */
  availableOutgoingBitrate: number;
  /** Always 0: the server does not estimate its incoming bandwidth. */
  availableIncomingBitrate: number;
}

/** A DTLS certificate (Kurento's `RTCCertificateStats`). */
export interface RTCCertificateStats extends StatsBase<'certificate'> {
  /** Its fingerprint. */
  fingerprint: string;
  /** The fingerprint's hash, e.g. `sha-256`. */
  fingerprintAlgorithm: string;
  /** The certificate, DER in base64. */
  base64Certificate: string;
  /** Always '': DTLS certificates are self-signed. */
  issuerCertificateId: string;
}

/** W3C entries beyond Kurento's types: what the peer's RTCP reports and the media sources say. */
export type W3CStats = StatsBase<'remoteinboundrtp' | 'remoteoutboundrtp' | 'mediasource'>;

/**
 * One entry of `getStats()`: narrow on `type` to reach its fields (`inboundrtp` →
 * {@link RTCInboundRTPStreamStats}, `endpoint` → {@link EndpointStats}, …).
 */
export type Stats =
  | ElementStats
  | EndpointStats
  | RTCInboundRTPStreamStats
  | RTCOutboundRTPStreamStats
  | RTCCodec
  | RTCPeerConnectionStats
  | RTCMediaStreamStats
  | RTCMediaStreamTrackStats
  | RTCDataChannelStats
  | RTCTransportStats
  | RTCIceCandidateAttributes
  | RTCIceCandidatePairStats
  | RTCCertificateStats
  | W3CStats;

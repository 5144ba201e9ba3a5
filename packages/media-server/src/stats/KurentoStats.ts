/**
 * The statistics types of Kurento's core.kmd.json, field for field, as `getStats` answers them.
 * Every field is always present (Kurento's generated C++ fills them all); the README says which
 * ones have no meaning in Medley and what they hold then. Entries may carry more fields than
 * these: the W3C webrtc-stats fields werift measures (`kind`, `mid`, `headerBytesReceived`, …).
 */

/** Kurento's `StatsType`, plus the W3C names of the types its enum lacks. */
export type KurentoStatsType =
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

/** Kurento's `Stats`: what every entry has. */
export interface Stats {
  readonly id: string;
  readonly type: KurentoStatsType;
  /** Milliseconds since the Unix epoch. */
  readonly timestampMillis: number;
  readonly [field: string]: unknown;
}

/** Kurento's `MediaLatencyStat`: the average latency of one input stream of an element. */
export interface MediaLatencyStat {
  /** The sink pad the stream enters by, as Kurento names it (`sink_video_default`). */
  readonly name: string;
  readonly type: 'AUDIO' | 'VIDEO';
  /** Average latency in nanoseconds. */
  readonly avg: number;
}

/** Kurento's `ElementStats` (type `element`). */
export interface ElementStats extends Stats {
  /** Time from entering the pipeline to this element's input, per stream, in nanoseconds. */
  readonly inputLatency: readonly MediaLatencyStat[];
  /** Kurento 6's name for the audio entry of `inputLatency` (ns; 0 when unmeasured). */
  readonly inputAudioLatency: number;
  /** Kurento 6's name for the video entry of `inputLatency` (ns; 0 when unmeasured). */
  readonly inputVideoLatency: number;
}

/** Kurento's `EndpointStats` (type `endpoint`). */
export interface EndpointStats extends ElementStats {
  /** Time from entering the pipeline to leaving this endpoint, per stream, in nanoseconds. */
  readonly E2ELatency: readonly MediaLatencyStat[];
  /** Kurento 6's name for the audio entry of `E2ELatency` (ns; 0 when unmeasured). */
  readonly audioE2ELatency: number;
  /** Kurento 6's name for the video entry of `E2ELatency` (ns; 0 when unmeasured). */
  readonly videoE2ELatency: number;
}

/** Kurento's `RTCRTPStreamStats`: what inbound and outbound RTP streams share. */
export interface RtcRtpStreamStats extends Stats {
  /** The SSRC, as a decimal string (Kurento's type). */
  readonly ssrc: string;
  readonly associateStatsId: string;
  readonly isRemote: boolean;
  readonly mediaTrackId: string;
  readonly transportId: string;
  readonly codecId: string;
  readonly firCount: number;
  readonly pliCount: number;
  readonly nackCount: number;
  readonly sliCount: number;
  /** Bit/s: the REMB received for an outbound stream, sent for an inbound one; 0 when none. */
  readonly remb: number;
  readonly packetsLost: number;
  /** As in an RTCP report block: the fraction lost times 256 (0 to 255). */
  readonly fractionLost: number;
}

/** Kurento's `RTCInboundRTPStreamStats` (type `inboundrtp`). */
export interface RtcInboundRtpStreamStats extends RtcRtpStreamStats {
  readonly packetsReceived: number;
  readonly bytesReceived: number;
  /** Seconds. */
  readonly jitter: number;
}

/** Kurento's `RTCOutboundRTPStreamStats` (type `outboundrtp`). */
export interface RtcOutboundRtpStreamStats extends RtcRtpStreamStats {
  readonly packetsSent: number;
  readonly bytesSent: number;
  /** Bit/s. */
  readonly targetBitrate: number;
  /** Seconds. */
  readonly roundTripTime: number;
}

/** Kurento's `RTCCodec` (W3C type `codec`). */
export interface RtcCodec extends Stats {
  readonly payloadType: number;
  /** The MIME type, e.g. `video/VP8`. */
  readonly codec: string;
  readonly clockRate: number;
  readonly channels: number;
  /** The codec's `a=fmtp` parameters. */
  readonly parameters: string;
}

/** Kurento's `RTCPeerConnectionStats` (type `session`). */
export interface RtcPeerConnectionStats extends Stats {
  readonly dataChannelsOpened: number;
  readonly dataChannelsClosed: number;
}

/** Kurento's `RTCMediaStreamStats` (W3C type `stream`). */
export interface RtcMediaStreamStats extends Stats {
  readonly streamIdentifier: string;
  /** The ids of the `track` entries of the stream. */
  readonly trackIds: readonly string[];
}

/** Kurento's `RTCMediaStreamTrackStats` (type `track`). */
export interface RtcMediaStreamTrackStats extends Stats {
  readonly trackIdentifier: string;
  readonly remoteSource: boolean;
  /** The ids of the RTP stream entries carrying the track. */
  readonly ssrcIds: readonly string[];
  readonly frameWidth: number;
  readonly frameHeight: number;
  readonly framesPerSecond: number;
  readonly framesSent: number;
  readonly framesReceived: number;
  readonly framesDecoded: number;
  readonly framesDropped: number;
  readonly framesCorrupted: number;
  readonly audioLevel: number;
  readonly echoReturnLoss: number;
  readonly echoReturnLossEnhancement: number;
}

/** Kurento's `RTCDataChannelState`. */
export type RtcDataChannelState = 'connecting' | 'open' | 'closing' | 'closed';

/** Kurento's `RTCDataChannelStats` (type `datachannel`). */
export interface RtcDataChannelStats extends Stats {
  readonly label: string;
  readonly protocol: string;
  readonly datachannelid: number;
  readonly state: RtcDataChannelState;
  readonly messagesSent: number;
  readonly bytesSent: number;
  readonly messagesReceived: number;
  readonly bytesReceived: number;
}

/** Kurento's `RTCTransportStats` (type `transport`). */
export interface RtcTransportStats extends Stats {
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly rtcpTransportStatsId: string;
  readonly activeConnection: boolean;
  readonly selectedCandidatePairId: string;
  readonly localCertificateId: string;
  readonly remoteCertificateId: string;
}

/** Kurento's `RTCStatsIceCandidateType`. */
export type RtcStatsIceCandidateType = 'host' | 'serverreflexive' | 'peerreflexive' | 'relayed';

/** Kurento's `RTCIceCandidateAttributes` (types `localcandidate`, `remotecandidate`). */
export interface RtcIceCandidateAttributes extends Stats {
  readonly ipAddress: string;
  readonly portNumber: number;
  readonly transport: string;
  readonly candidateType: RtcStatsIceCandidateType;
  readonly priority: number;
  readonly addressSourceUrl: string;
}

/** Kurento's `RTCStatsIceCandidatePairState`. */
export type RtcStatsIceCandidatePairState =
  | 'frozen'
  | 'waiting'
  | 'inprogress'
  | 'failed'
  | 'succeeded'
  | 'cancelled';

/** Kurento's `RTCIceCandidatePairStats` (type `candidatepair`). */
export interface RtcIceCandidatePairStats extends Stats {
  readonly transportId: string;
  readonly localCandidateId: string;
  readonly remoteCandidateId: string;
  readonly state: RtcStatsIceCandidatePairState;
  readonly priority: number;
  readonly nominated: boolean;
  readonly writable: boolean;
  readonly readable: boolean;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** Seconds. */
  readonly roundTripTime: number;
  /** Bit/s. */
  readonly availableOutgoingBitrate: number;
  /** Bit/s. */
  readonly availableIncomingBitrate: number;
}

/** Kurento's `RTCCertificateStats` (W3C type `certificate`). */
export interface RtcCertificateStats extends Stats {
  readonly fingerprint: string;
  readonly fingerprintAlgorithm: string;
  readonly base64Certificate: string;
  readonly issuerCertificateId: string;
}

/** Kurento's `Stats` map: entries by id, each tagged with its complex type. */
export type StatsReport = Record<string, Stats>;

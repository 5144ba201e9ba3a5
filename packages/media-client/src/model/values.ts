// Value types of the Kurento API (the `complexTypes` of core.kmd.json and elements.kmd.json) that
// this client exposes, with Kurento's names and meanings. Complex values on the wire may also
// carry `__module__` and `__type__`.

/**
 * The kind of media a connection or pad carries: `AUDIO`, `VIDEO`, or `DATA` (WebRTC data
 * channels). Methods that take an optional media type apply to all three when it is left out.
 */
export type MediaType = 'AUDIO' | 'VIDEO' | 'DATA';

/**
 * Kurento's state of an RTP endpoint's media session, judged by its RTCP flow (RFC 3550):
 * `CONNECTED` while RTCP packets flow between the peers; `DISCONNECTED` before the first one,
 * after the peer's RTCP BYE, or once about 5 seconds pass without one. Slower to change than
 * {@link MediaFlowState}: it tells the long-term state, not short gaps in the media.
 */
export type MediaState = 'CONNECTED' | 'DISCONNECTED';

/**
 * Kurento's state of an RTP endpoint's connection to its remote peer, as
 * `getConnectionState()` and the `ConnectionStateChanged` event report it: `CONNECTED` once the
 * transport is up (for a Medley WebRtcEndpoint: ICE connected and the DTLS handshake done),
 * `DISCONNECTED` before that and after it drops. Not to be confused with
 * {@link ClientConnectionState}, the state of this client's own connection to the media server.
 */
export type ConnectionState = 'CONNECTED' | 'DISCONNECTED';

/**
 * Whether media passes through a pad of an element right now: `FLOWING` or `NOT_FLOWING`. Raised
 * (`MediaFlowInStateChanged`, `MediaFlowOutStateChanged`) soon after RTP starts or stops, so it
 * shows short interruptions that {@link MediaState} does not.
 */
export type MediaFlowState = 'FLOWING' | 'NOT_FLOWING';

/**
 * Whether an element decodes and re-encodes the media between its input and its output
 * (`TRANSCODING`, which costs CPU) or passes it on as it arrived (`NOT_TRANSCODING`).
 */
export type MediaTranscodingState = 'TRANSCODING' | 'NOT_TRANSCODING';

/**
 * Which media a GStreamerFilter changes (Kurento's FilterType): `AUDIO`, `VIDEO`, or `AUTODETECT`
 * (the default), which lets the server tell from the filter's command.
 */
export type FilterType = 'AUDIO' | 'AUTODETECT' | 'VIDEO';

/**
 * The state of one ICE component of a WebRtcEndpoint (transitions as in RFC 5245):
 * `DISCONNECTED` (nothing scheduled), `GATHERING` (gathering local candidates), `CONNECTING`
 * (connectivity checks running), `CONNECTED` (at least one candidate pair works), `READY` (ICE
 * concluded, the selected pair is final), `FAILED` (the checks ended without a working pair). It
 * covers the network path only: media may still not flow while it is `CONNECTED` (see
 * {@link ConnectionState} and {@link MediaFlowState}).
 */
export type IceComponentState =
  | 'DISCONNECTED'
  | 'GATHERING'
  | 'CONNECTING'
  | 'CONNECTED'
  | 'READY'
  | 'FAILED';

/**
 * The state of a WebRtcEndpoint's DTLS connection, which agrees the SRTP keys: `NEW` (not
 * started), `CONNECTING` (handshake under way), `CONNECTED` (keys agreed, media can be
 * encrypted), `CLOSED`, `FAILED` (the handshake or the connection failed).
 */
export type DtlsConnectionState = 'NEW' | 'CLOSED' | 'FAILED' | 'CONNECTING' | 'CONNECTED';

/**
 * What a PlayerEndpoint or RecorderEndpoint is doing with its URI: `START` (playing or recording),
 * `PAUSE` (paused; `play()` or `record()` resumes), `STOP` (stopped, or not started yet).
 */
export type UriEndpointState = 'STOP' | 'START' | 'PAUSE';

/** The key type of the certificate a WebRtcEndpoint uses for DTLS; Kurento defaults to `RSA`. */
export type CertificateKeyType = 'RSA' | 'ECDSA';

/**
 * The container, and with it the codecs, a RecorderEndpoint writes (`WEBM` by default). The
 * `_VIDEO_ONLY` and `_AUDIO_ONLY` variants record that one track: pick one when the source sends
 * only that media (a screen share without audio, say). Kurento transcodes media whose codec does
 * not fit the profile (VP8 into `MP4` means H.264 encoding, at a CPU cost). Medley records
 * without transcoding, in `WEBM` (VP8 or VP9, Opus), `MKV` (VP8, VP9 or H.264, Opus) or `MP4`
 * (H.264, Opus) and their variants, and rejects the other profiles (`JPEG_VIDEO_ONLY`,
 * `KURENTO_SPLIT_RECORDER`, `FLV`) with MEDIA_OBJECT_ILLEGAL_PARAM_ERROR.
 */
export type MediaProfileSpecType =
  | 'WEBM'
  | 'MKV'
  | 'MP4'
  | 'WEBM_VIDEO_ONLY'
  | 'WEBM_AUDIO_ONLY'
  | 'MKV_VIDEO_ONLY'
  | 'MKV_AUDIO_ONLY'
  | 'MP4_VIDEO_ONLY'
  | 'MP4_AUDIO_ONLY'
  | 'JPEG_VIDEO_ONLY'
  | 'KURENTO_SPLIT_RECORDER'
  | 'FLV';

/**
 * How much a `getGstreamerDot()` graph shows of each GStreamer element (its media types, caps,
 * non-default or all parameters, states); `SHOW_ALL` by default. Medley runs no GStreamer
 * pipeline per element: its graphs list a pipeline's or hub's children, an element's is empty,
 * whatever the detail asked for.
 */
export type GstreamerDotDetails =
  | 'SHOW_MEDIA_TYPE'
  | 'SHOW_CAPS_DETAILS'
  | 'SHOW_NON_DEFAULT_PARAMS'
  | 'SHOW_STATES'
  | 'SHOW_FULL_PARAMS'
  | 'SHOW_ALL'
  | 'SHOW_VERBOSE';

/**
 * An ICE candidate, as in the browser's `RTCIceCandidateInit` with both fields required: what
 * `IceCandidateFound` carries to send to the browser, and what `addIceCandidate` takes from it.
 */
export interface IceCandidate {
  /** The `candidate:` attribute of RFC 5245 section 15.1 (`candidate:1 1 UDP 2122252543 ...`). */
  candidate: string;
  /** The media stream identification (`a=mid`) of the SDP media section it belongs to. */
  sdpMid: string;
  /** The index, from 0, of the SDP media section (m-line) it belongs to. */
  sdpMLineIndex: number;
}

/** The pair of candidates ICE selected for one stream and component (`getICECandidatePairs()`). */
export interface IceCandidatePair {
  /** The ICE stream the pair serves (with BUNDLE, one stream carries every media section). */
  streamId: string;
  /** The component within the stream: 1 for RTP, 2 for RTCP when it is not multiplexed. */
  componentId: number;
  /** The server's candidate of the pair, as a `candidate:` attribute. */
  localCandidate: string;
  /** The peer's candidate of the pair, as a `candidate:` attribute. */
  remoteCandidate: string;
}

/** The ICE state of one stream and component (`getIceConnectionState()`). */
export interface IceConnection {
  /** The ICE stream (with BUNDLE, one stream carries every media section). */
  streamId: string;
  /** The component within the stream: 1 for RTP, 2 for RTCP when it is not multiplexed. */
  componentId: number;
  /** Where the checks of this component stand. */
  state: IceComponentState;
}

/**
 * A key-value pair an application attaches to an object with `addTag` (a user id, a room name);
 * events carry the object's tags once `setSendTagsInEvents(true)` was called.
 */
export interface Tag {
  /** The tag's name, unique on its object. */
  key: string;
  /** The tag's value. */
  value: string;
}

/** A module loaded by the server (`core`, `elements`, `filters`, ...), from `getInfo()`. */
export interface ModuleInfo {
  /** The module's name, e.g. `core`; `getKmd(name)` returns its descriptor. */
  name: string;
  /** The module's version. */
  version: string;
  /** When the module was generated, if the server says. */
  generationTime?: string;
  /** The object types the module can create, e.g. `WebRtcEndpoint`. */
  factories: string[];
}

/** What `serverManager.getInfo()` says about the server. */
export interface ServerInfo {
  /** The server's version (Medley gives the Kurento API version it implements, e.g. `7.3.0`). */
  version: string;
  /** The modules the server loaded, and the types each can create. */
  modules: ModuleInfo[];
  /** `KMS` for a media server, `KCS` for a Kurento proxy in front of media servers. */
  type: 'KMS' | 'KCS';
  /** Protocol features the server supports, e.g. `transactions`. */
  capabilities: string[];
}

/** Options of `generateOffer()`: which media the offer asks the peer to send. */
export interface OfferOptions {
  /** Offer to receive audio from the peer; true by default. */
  offerToReceiveAudio?: boolean;
  /** Offer to receive video from the peer; true by default. */
  offerToReceiveVideo?: boolean;
}

/** A ratio of two integers, e.g. a frame rate of 30000/1001. */
export interface Fraction {
  /** The integer above the line. */
  numerator: number;
  /** The integer below the line. */
  denominator: number;
}

/**
 * An audio format for `setAudioFormat()`. Kurento accepts the call but does not act on it (its
 * documentation says so); Medley rejects it with MEDIA_OBJECT_METHOD_NOT_FOUND.
 */
export interface AudioCaps {
  /** The audio codec. */
  codec: 'OPUS' | 'PCMU' | 'PCMA' | 'RAW';
  /** The bitrate (Kurento gives no unit for it). */
  bitrate: number;
}

/**
 * A video format for `setVideoFormat()`. Kurento accepts the call but does not act on it (its
 * documentation says so); Medley rejects it with MEDIA_OBJECT_METHOD_NOT_FOUND.
 */
export interface VideoCaps {
  /** The video codec. */
  codec: 'H265' | 'AV1' | 'VP9' | 'VP8' | 'H264' | 'RAW';
  /** Frames per second, as a fraction. */
  framerate: Fraction;
}

/**
 * Tuning of Kurento's REMB congestion control, the bitrate estimate an endpoint sends back to
 * the peers that send it video (`setRembParams()`). Every field is optional: a field left out
 * keeps its default.
 */
export interface RembParams {
  /** How many RTP packets the fraction-lost figure is smoothed over; 100 by default. */
  packetsRecvIntervalTop?: number;
  /**
   * Below the threshold, each estimate grows by this factor: next = current × (1 +
   * exponentialFactor); 0.04 by default.
   */
  exponentialFactor?: number;
  /**
   * Above the threshold the estimate grows linearly, by at most this many bits per second per
   * step.
   */
  linealFactorMin?: number;
  /**
   * Above the threshold, the linear step is (estimate − threshold) / linealFactorGrade; with
   * updates every 500 ms the default, 30, reaches the previous estimate in about 60 s.
   */
  linealFactorGrade?: number;
  /** On too many losses the estimate is multiplied by this; 0.5 by default. */
  decrementFactor?: number;
  /** On too many losses the threshold becomes the estimate times this; 0.8 by default. */
  thresholdFactor?: number;
  /**
   * The fraction lost, in 256ths, above which losses count as too many; 12 (about 4.7%) by
   * default.
   */
  upLosses?: number;
  /**
   * The estimate, in bits per second, a newly connected endpoint starts from; 300000 (300 kbps)
   * by default. Set above the network's capacity, every new connection starts congested.
   */
  rembOnConnect?: number;
}

/**
 * SDES keying for an RtpEndpoint's SRTP (RFC 4568, no DTLS): given at creation, it makes the
 * endpoint encrypt its RTP. A key is the master key followed by the master salt.
 */
export interface SDES {
  /**
   * The key in plain text: 30 characters for the AES_128 suites, 46 for AES_256. Without `key`
   * or `keyBase64` the server generates a random one.
   */
  key?: string;
  /** The key in base64, for binary keys: 30 or 46 bytes once decoded. */
  keyBase64?: string;
  /** The SRTP crypto suite (cipher and authentication tag length). */
  crypto?:
    | 'AES_128_CM_HMAC_SHA1_32'
    | 'AES_128_CM_HMAC_SHA1_80'
    | 'AES_256_CM_HMAC_SHA1_32'
    | 'AES_256_CM_HMAC_SHA1_80';
}

/** What a PlayerEndpoint knows of the media it plays (`getVideoInfo()`); times in milliseconds. */
export interface VideoInfo {
  /** Whether `setPosition()` can seek in this media (a file can, a live stream cannot). */
  isSeekable: boolean;
  /** The earliest position one can seek to, in milliseconds. */
  seekableInit: number;
  /** The latest position one can seek to, in milliseconds. */
  seekableEnd: number;
  /** The media's duration, in milliseconds. */
  duration: number;
}

/**
 * A rectangle of the video in pixels (Kurento's `WindowParam`, modules chroma and
 * pointerdetector): a ChromaFilter's calibration window, a PointerDetectorFilter's calibration
 * region. Despite the names, `topRightCornerX`/`topRightCornerY` are the top-left corner, as
 * Kurento uses them.
 */
export interface WindowParam {
  /** Left edge, in pixels from the frame's left. */
  topRightCornerX: number;
  /** Top edge, in pixels from the frame's top. */
  topRightCornerY: number;
  /** Width in pixels, at least 1. */
  width: number;
  /** Height in pixels, at least 1. */
  height: number;
}

/**
 * A window of a PointerDetectorFilter (Kurento's `PointerDetectorWindowMediaParam`): the pointer
 * entering it raises `WindowIn`, leaving it `WindowOut`. `upperRightX`/`upperRightY` are the
 * top-left corner, as Kurento uses them.
 */
export interface PointerDetectorWindowMediaParam {
  /** The window's id, carried by its events; adding a window with an id in use replaces it. */
  id: string;
  /** Left edge, in pixels. */
  upperRightX: number;
  /** Top edge, in pixels. */
  upperRightY: number;
  /** Width in pixels, at least 1. */
  width: number;
  /** Height in pixels, at least 1. */
  height: number;
  /** URI of the image shown in the window while the pointer is in it. */
  activeImage?: string;
  /** How much of the video shows through the window's images: 0 (opaque, the default) to 1. */
  imageTransparency?: number;
  /** URI of the image shown in the window (only while the pointer is out, with `activeImage`). */
  image?: string;
}

/** A point in fractions (0–1) of the frame's width and height (Kurento's `RelativePoint`). */
export interface RelativePoint {
  /** From the left edge: 0 is the left, 1 the right. */
  x: number;
  /** From the top edge: 0 is the top, 1 the bottom. */
  y: number;
}

/**
 * The thresholds of a CrowdDetectorFilter's region (Kurento's `RegionOfInterestConfig`), every
 * field optional with Kurento's default. Levels are percentages: a measure below `Min` is level
 * 0, below `Med` 1, below `Max` 2, and 3 from `Max` up; a level is raised once it has held for
 * `NumFramesToEvent` frames.
 */
export interface RegionOfInterestConfig {
  /** 10 by default. */
  occupancyLevelMin?: number;
  /** 35 by default. */
  occupancyLevelMed?: number;
  /** 65 by default. */
  occupancyLevelMax?: number;
  /** 5 by default. */
  occupancyNumFramesToEvent?: number;
  /** 10 by default. */
  fluidityLevelMin?: number;
  /** 35 by default. */
  fluidityLevelMed?: number;
  /** 65 by default. */
  fluidityLevelMax?: number;
  /** 5 by default. */
  fluidityNumFramesToEvent?: number;
  /** Whether the region raises `CrowdDetectorDirection` events; false by default. */
  sendOpticalFlowEvent?: boolean;
  /** Frames of movement between two direction events; 3 by default. */
  opticalFlowNumFramesToEvent?: number;
  /** Still frames after which the count of moving frames starts again; 3 by default. */
  opticalFlowNumFramesToReset?: number;
  /** Degrees added to each direction; 0 by default. */
  opticalFlowAngleOffset?: number;
}

/** A region a CrowdDetectorFilter watches (Kurento's `RegionOfInterest`). */
export interface RegionOfInterest {
  /** The region's id, carried by its events as `roiID`. */
  id: string;
  /** The polygon's corners, at least 3, each within the frame. */
  points: RelativePoint[];
  /** Its thresholds. */
  regionOfInterestConfig: RegionOfInterestConfig;
}

// Event payloads (the `events` of the Kurento module descriptors) and, per object type, the map
// from event name to payload that types `on(event, handler)`.
import type {
  ConnectionState,
  DtlsConnectionState,
  IceCandidate,
  IceCandidatePair,
  IceComponentState,
  MediaFlowState,
  MediaState,
  MediaTranscodingState,
  MediaType,
  Tag,
  UriEndpointState,
} from './values.js';

/** Fields every event carries. */
export interface MediaEvent {
  /** The event name, e.g. `IceCandidateFound`. */
  type: string;
  /** Id of the object that raised the event. */
  source: string;
  /** The source's tags, when `setSendTagsInEvents(true)` was called on it. */
  tags: Tag[];
  /** Milliseconds since the epoch, as a decimal string (Kurento's format). */
  timestampMillis: string;
}

/**
 * `Error`: something failed on the server after the call that started it returned (a recording
 * that cannot be written, a player that cannot read its URI, a processing stage that died).
 * Kurento reports such failures only this way, so subscribe to it on the elements you create.
 */
export interface ErrorEvent extends MediaEvent {
  /**
   * Unlike other events, not the event name but the name of the error, e.g.
   * `URI_PATH_FILE_NOT_FOUND` or `WRITE_FAILED` (Kurento's Error event reuses the field).
   */
  type: string;
  /** What went wrong, in words. */
  description: string;
  /** The server's numeric error code, e.g. 40003 (UNEXPECTED_ERROR); see `kurentoErrorCodes`. */
  errorCode: number;
}

/** `ElementConnected` / `ElementDisconnected`: the source element gained or lost a sink. */
export interface ElementConnectionEvent extends MediaEvent {
  /** Id of the sink element. */
  sink: string;
  /** The media type of the connection. */
  mediaType: MediaType;
  /** The description of the source's pad (Kurento uses it for DATA only; usually empty). */
  sourceMediaDescription: string;
  /** The description of the sink's pad (Kurento uses it for DATA only; usually empty). */
  sinkMediaDescription: string;
}

/**
 * `MediaFlowInStateChanged` / `MediaFlowOutStateChanged`: media of one type started or stopped
 * entering (In) or leaving (Out) the element. Quick to fire, so it also shows short gaps; start
 * a recording once the recorder's `MediaFlowInStateChanged` says FLOWING for every media type
 * it records.
 */
export interface MediaFlowStateChangedEvent extends MediaEvent {
  /** Whether the media now flows. */
  state: MediaFlowState;
  /** The name of the element's pad whose flow changed. */
  padName: string;
  /** The media type of that pad. */
  mediaType: MediaType;
}

/**
 * `MediaTranscodingStateChanged`: media of one type started arriving at the element, and it
 * does or does not need transcoding (decoding and encoding again, which costs CPU) to go on.
 */
export interface MediaTranscodingStateChangedEvent extends MediaEvent {
  /** Whether the element now transcodes this media. */
  state: MediaTranscodingState;
  /** The name of the processing bin (give it to `isMediaTranscoding()` to ask about this one). */
  binName: string;
  /** The media being processed, audio or video. */
  mediaType: MediaType;
}

/**
 * `MediaStateChanged`: an RTP endpoint's media session came up or went down, judged by the RTCP
 * flow (DISCONNECTED about 5 seconds after the last RTCP packet, or on an RTCP BYE).
 */
export interface MediaStateChangedEvent extends MediaEvent {
  /** The state before the change. */
  oldState: MediaState;
  /** The state now. */
  newState: MediaState;
}

/** `ConnectionStateChanged`: an RTP endpoint's connection to its remote peer came up or dropped. */
export interface ConnectionStateChangedEvent extends MediaEvent {
  /** The state before the change. */
  oldState: ConnectionState;
  /** The state now. */
  newState: ConnectionState;
}

/**
 * `IceCandidateFound`: the WebRtcEndpoint found a local ICE candidate. Send every one to the
 * remote peer (its `addIceCandidate`); a peer that misses some may fail to connect.
 */
export interface IceCandidateFoundEvent extends MediaEvent {
  /** The candidate found. */
  candidate: IceCandidate;
}

/** `IceComponentStateChanged`: the ICE state of one stream and component changed. */
export interface IceComponentStateChangedEvent extends MediaEvent {
  /** The ICE stream (with BUNDLE, one stream carries every media section). */
  streamId: number;
  /** The component within the stream: 1 for RTP, 2 for RTCP when it is not multiplexed. */
  componentId: number;
  /** The component's new state. */
  state: IceComponentState;
}

/**
 * `NewCandidatePairSelected`: ICE chose the candidate pair a stream uses; it may change during
 * a session when a better pair turns up.
 */
export interface NewCandidatePairSelectedEvent extends MediaEvent {
  /** The pair now in use. */
  candidatePair: IceCandidatePair;
}

/** `DtlsConnectionStateChange`: the DTLS connection of one stream and component changed state. */
export interface DtlsConnectionStateChangeEvent extends MediaEvent {
  /** The ICE stream the DTLS connection runs over. */
  streamId: string;
  /** The component within the stream. */
  componentId: string;
  /** The id of the DTLS connection. */
  connectionId: string;
  /** The connection's new state. */
  state: DtlsConnectionState;
}

/** `DataChannelOpened` / `DataChannelClosed`: a WebRTC data channel was opened or closed. */
export interface DataChannelEvent extends MediaEvent {
  /** The channel's id, as `closeDataChannel()` takes it. */
  channelId: number;
}

/** `UriEndpointStateChanged`: a player or recorder started, paused or stopped. */
export interface UriEndpointStateChangedEvent extends MediaEvent {
  /** The endpoint's new state. */
  state: UriEndpointState;
}

/** `ObjectCreated` (on the ServerManager): some session created an object on the server. */
export interface ObjectCreatedEvent extends MediaEvent {
  /** Id of the new object. */
  object: string;
}

/** `ObjectDestroyed` (on the ServerManager): an object was released on the server. */
export interface ObjectDestroyedEvent extends MediaEvent {
  /** Id of the released object. */
  objectId: string;
}

/** The events of every object, by name. */
export interface MediaObjectEvents {
  /** A failure on the server after the call that caused it returned; see {@link ErrorEvent}. */
  Error: ErrorEvent;
}

/** The events of the ServerManager, by name: objects appearing and going, on the whole server. */
export interface ServerManagerEvents extends MediaObjectEvents {
  /** An object was created, by any session. */
  ObjectCreated: ObjectCreatedEvent;
  /** An object was released, by any session or with its pipeline or expired session. */
  ObjectDestroyed: ObjectDestroyedEvent;
}

/** The events of every media element, by name. */
export interface MediaElementEvents extends MediaObjectEvents {
  /** This element was connected to a sink (`connect()`). */
  ElementConnected: ElementConnectionEvent;
  /** This element was disconnected from a sink. */
  ElementDisconnected: ElementConnectionEvent;
  /** Media of one type started or stopped arriving at this element. */
  MediaFlowInStateChanged: MediaFlowStateChangedEvent;
  /** Media of one type started or stopped leaving this element. */
  MediaFlowOutStateChanged: MediaFlowStateChangedEvent;
  /** This element started or stopped transcoding media of one type. */
  MediaTranscodingStateChanged: MediaTranscodingStateChangedEvent;
}

/** A code a ZBarFilter read. */
export interface CodeFoundEvent extends MediaEvent {
  /** zbar's symbology name, e.g. `QR-Code`, `EAN-13`. */
  codeType: string;
  /** The text the code holds. */
  value: string;
}

/** The events of a ZBarFilter, by name. */
export interface ZBarFilterEvents extends MediaElementEvents {
  /** A code came into view; raised once per new code, not on every frame that shows it. */
  CodeFound: CodeFoundEvent;
}

/** The events of endpoints that negotiate a session with a remote peer, by name. */
export interface SessionEndpointEvents extends MediaElementEvents {
  /**
   * The session with the peer started. Kurento raises it once the SDP negotiation is done
   * (`processOffer()` answered, or `processAnswer()` took the peer's answer), before media
   * flows; a Medley WebRtcEndpoint raises it when its connection to the peer comes up.
   */
  MediaSessionStarted: MediaEvent;
  /**
   * The session with the peer ended and its connection was torn down (a Medley WebRtcEndpoint:
   * its connection to the peer dropped).
   */
  MediaSessionTerminated: MediaEvent;
}

/** The events of RTP endpoints (WebRtcEndpoint, RtpEndpoint), by name. */
export interface BaseRtpEndpointEvents extends SessionEndpointEvents {
  /** The media session, judged by RTCP, came up or went down; see {@link MediaState}. */
  MediaStateChanged: MediaStateChangedEvent;
  /** The connection to the remote peer came up or dropped; see {@link ConnectionState}. */
  ConnectionStateChanged: ConnectionStateChangedEvent;
}

/** The events of a WebRtcEndpoint, by name. */
export interface WebRtcEndpointEvents extends BaseRtpEndpointEvents {
  /** A local candidate to send to the peer; subscribe before `gatherCandidates()`. */
  IceCandidateFound: IceCandidateFoundEvent;
  /** Every local candidate has been found (and reported by `IceCandidateFound`). */
  IceGatheringDone: MediaEvent;
  /** The ICE state of a stream and component changed. */
  IceComponentStateChanged: IceComponentStateChangedEvent;
  /** ICE selected the candidate pair a stream uses. */
  NewCandidatePairSelected: NewCandidatePairSelectedEvent;
  /** The DTLS connection of a stream and component changed state. */
  DtlsConnectionStateChange: DtlsConnectionStateChangeEvent;
  /** A data channel opened (needs `useDataChannels` at creation). */
  DataChannelOpened: DataChannelEvent;
  /** A data channel closed. */
  DataChannelClosed: DataChannelEvent;
}

/** The events of endpoints that read or write a URI, by name. */
export interface UriEndpointEvents extends MediaElementEvents {
  /** The endpoint started, paused or stopped. */
  UriEndpointStateChanged: UriEndpointStateChangedEvent;
}

/** The events of a RecorderEndpoint, by name. */
export interface RecorderEndpointEvents extends UriEndpointEvents {
  /** Recording really started: `record()` was called and media reached the recorder. */
  Recording: MediaEvent;
  /** The recorder paused (`pause()`). */
  Paused: MediaEvent;
  /** The recorder stopped and everything it recorded is in storage. */
  Stopped: MediaEvent;
}

/** The events of a PlayerEndpoint, by name. */
export interface PlayerEndpointEvents extends UriEndpointEvents {
  /** The player reached the end of its media. */
  EndOfStream: MediaEvent;
}

/**
 * The events of an HttpPostEndpoint, by name. On Medley, `MediaSessionStarted` comes with the
 * first POST and `MediaSessionTerminated` when its URL expires (`disconnectionTimeout`).
 */
export interface HttpPostEndpointEvents extends SessionEndpointEvents {
  /** The media of the upload has all been sent on. */
  EndOfStream: MediaEvent;
}

/** The pointer of a PointerDetectorFilter entered or left one of its windows. */
export interface PointerWindowEvent extends MediaEvent {
  /** The id the window was added with. */
  windowId: string;
}

/** The events of a PointerDetectorFilter, by name. */
export interface PointerDetectorFilterEvents extends MediaElementEvents {
  /** The pointer's centre came into the window. */
  WindowIn: PointerWindowEvent;
  /** The pointer's centre left the window (or the pointer was lost while in it). */
  WindowOut: PointerWindowEvent;
}

/** Fields every CrowdDetectorFilter event has: the region's id, under both of Kurento's names. */
export interface CrowdRegionEvent extends MediaEvent {
  /** The region of interest's id. */
  roiID: string;
  /** The same id (the kmd lists both spellings). */
  roiId: string;
}

/** A region's occupancy changed level. */
export interface CrowdDetectorOccupancyEvent extends CrowdRegionEvent {
  /** The share of the region occupied (differing from the learnt background), 0–100. */
  occupancyPercentage: number;
  /** 0–3, from the region's thresholds. */
  occupancyLevel: number;
}

/** A region's fluidity changed level. */
export interface CrowdDetectorFluidityEvent extends CrowdRegionEvent {
  /** The share of the occupied part that moves, 0–100. */
  fluidityPercentage: number;
  /** 0–3, from the region's thresholds. */
  fluidityLevel: number;
}

/** The movement's direction in a region (regions with `sendOpticalFlowEvent`). */
export interface CrowdDetectorDirectionEvent extends CrowdRegionEvent {
  /** Degrees counter-clockwise from the right (90 is up), plus the region's offset, 0–360. */
  directionAngle: number;
}

/** The events of a CrowdDetectorFilter, by name. */
export interface CrowdDetectorFilterEvents extends MediaElementEvents {
  /** A region's occupancy level changed. */
  CrowdDetectorOccupancy: CrowdDetectorOccupancyEvent;
  /** A region's fluidity level changed. */
  CrowdDetectorFluidity: CrowdDetectorFluidityEvent;
  /** Movement in a region, with its direction. */
  CrowdDetectorDirection: CrowdDetectorDirectionEvent;
}

/** A plate a PlateDetectorFilter read. */
export interface PlateDetectedEvent extends MediaEvent {
  /** The plate's text as read (letters, digits, spaces and dashes). */
  plate: string;
}

/** The events of a PlateDetectorFilter, by name. */
export interface PlateDetectorFilterEvents extends MediaElementEvents {
  /** A plate came into view; raised once per new text read, not on every frame. */
  PlateDetected: PlateDetectedEvent;
}

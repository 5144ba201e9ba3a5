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

export interface ErrorEvent extends MediaEvent {
  /** Kurento error type, e.g. `RESOURCE_ERROR_OPEN`. */
  description: string;
  errorCode: number;
}

export interface ElementConnectionEvent extends MediaEvent {
  /** Id of the sink element. */
  sink: string;
  mediaType: MediaType;
  sourceMediaDescription: string;
  sinkMediaDescription: string;
}

export interface MediaFlowStateChangedEvent extends MediaEvent {
  state: MediaFlowState;
  padName: string;
  mediaType: MediaType;
}

export interface MediaTranscodingStateChangedEvent extends MediaEvent {
  state: MediaTranscodingState;
  binName: string;
  mediaType: MediaType;
}

export interface MediaStateChangedEvent extends MediaEvent {
  oldState: MediaState;
  newState: MediaState;
}

export interface ConnectionStateChangedEvent extends MediaEvent {
  oldState: ConnectionState;
  newState: ConnectionState;
}

export interface IceCandidateFoundEvent extends MediaEvent {
  candidate: IceCandidate;
}

export interface IceComponentStateChangedEvent extends MediaEvent {
  streamId: number;
  componentId: number;
  state: IceComponentState;
}

export interface NewCandidatePairSelectedEvent extends MediaEvent {
  candidatePair: IceCandidatePair;
}

export interface DtlsConnectionStateChangeEvent extends MediaEvent {
  streamId: string;
  componentId: string;
  connectionId: string;
  state: DtlsConnectionState;
}

export interface DataChannelEvent extends MediaEvent {
  channelId: number;
}

export interface UriEndpointStateChangedEvent extends MediaEvent {
  state: UriEndpointState;
}

export interface ObjectCreatedEvent extends MediaEvent {
  /** Id of the new object. */
  object: string;
}

export interface ObjectDestroyedEvent extends MediaEvent {
  objectId: string;
}

export interface MediaObjectEvents {
  Error: ErrorEvent;
}

export interface ServerManagerEvents extends MediaObjectEvents {
  ObjectCreated: ObjectCreatedEvent;
  ObjectDestroyed: ObjectDestroyedEvent;
}

export interface MediaElementEvents extends MediaObjectEvents {
  ElementConnected: ElementConnectionEvent;
  ElementDisconnected: ElementConnectionEvent;
  MediaFlowInStateChanged: MediaFlowStateChangedEvent;
  MediaFlowOutStateChanged: MediaFlowStateChangedEvent;
  MediaTranscodingStateChanged: MediaTranscodingStateChangedEvent;
}

/** A code a ZBarFilter read (`codeType` is zbar's symbology name, e.g. `QR-Code`, `EAN-13`). */
export interface CodeFoundEvent extends MediaEvent {
  codeType: string;
  value: string;
}

export interface ZBarFilterEvents extends MediaElementEvents {
  CodeFound: CodeFoundEvent;
}

export interface SessionEndpointEvents extends MediaElementEvents {
  MediaSessionStarted: MediaEvent;
  MediaSessionTerminated: MediaEvent;
}

export interface BaseRtpEndpointEvents extends SessionEndpointEvents {
  MediaStateChanged: MediaStateChangedEvent;
  ConnectionStateChanged: ConnectionStateChangedEvent;
}

export interface WebRtcEndpointEvents extends BaseRtpEndpointEvents {
  IceCandidateFound: IceCandidateFoundEvent;
  IceGatheringDone: MediaEvent;
  IceComponentStateChanged: IceComponentStateChangedEvent;
  NewCandidatePairSelected: NewCandidatePairSelectedEvent;
  DtlsConnectionStateChange: DtlsConnectionStateChangeEvent;
  DataChannelOpened: DataChannelEvent;
  DataChannelClosed: DataChannelEvent;
}

export interface UriEndpointEvents extends MediaElementEvents {
  UriEndpointStateChanged: UriEndpointStateChangedEvent;
}

export interface RecorderEndpointEvents extends UriEndpointEvents {
  Recording: MediaEvent;
  Paused: MediaEvent;
  Stopped: MediaEvent;
}

export interface PlayerEndpointEvents extends UriEndpointEvents {
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

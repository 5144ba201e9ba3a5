/**
 * A media server for Node.js that speaks the Kurento Protocol: {@link createMediaServer} to embed it,
 * its element classes, and the type tables and media graph to write elements of your own.
 *
 * @packageDocumentation
 * @document ../CHANGELOG.md
 */
export {
  BaseRtpEndpoint,
  BaseRtpEndpointType,
  builtinTypes,
  Dispatcher,
  DispatcherOneToMany,
  DispatcherOneToManyType,
  DispatcherType,
  EndpointType,
  FilterType,
  FilterTypeValue,
  GStreamerFilter,
  GStreamerFilterType,
  Hub,
  HubPort,
  HubPortType,
  HubType,
  MediaElement,
  MediaElementType,
  MediaPipeline,
  MediaPipelineType,
  PassThrough,
  PassThroughType,
  PlayerEndpoint,
  PlayerEndpointType,
  RecorderEndpoint,
  RecorderEndpointType,
  SdpEndpoint,
  SdpEndpointType,
  SessionEndpointType,
  type StatsReport,
  UriEndpoint,
  UriEndpointType,
  type VideoInfo,
  WebRtcEndpoint,
  WebRtcEndpointType,
} from './elements/index.js';
export {
  ConfigurationError,
  ErrorCodes,
  type ErrorType,
  InvalidParamError,
  KurentoError,
} from './errors.js';
export {
  type CodecAdaptation,
  type CodecAdapter,
  type DataMessage,
  DEFAULT_PAD_NAME,
  type ElementConnection,
  HubPortNode,
  KEYFRAME_REQUEST_INTERVAL_MS,
  LatencyAverage,
  type MediaCodec,
  type MediaFlowChange,
  type MediaFlowState,
  MediaGraphError,
  type MediaGraphErrorCode,
  MediaNode,
  type MediaNodeEvents,
  type MediaNodeOptions,
  type MediaPacket,
  MediaSinkPad,
  MediaSourcePad,
  type MediaTranscodingChange,
  type MediaType,
  PassThroughNode,
  RECEIVER_BITRATE_LIFETIME_MS,
  type RtpHeaderFields,
  RtpStreamRewriter,
  VideoFrameMeter,
  type VideoSize,
} from './graph/index.js';
export {
  createJsonLogger,
  type LogFields,
  type Logger,
  type LogLevel,
  logLevels,
} from './logger.js';
export { complexValue } from './objects/complexTypes.js';
export {
  MediaObject,
  type MediaObjectEvent,
  type MediaObjectEventListener,
  MediaObjectType,
  type ObjectInit,
} from './objects/MediaObject.js';
export {
  defineType,
  type MethodSpec,
  ObjectType,
  type Operation,
  type PropertySpec,
  type TypeSpec,
  typeMembers,
} from './objects/ObjectType.js';
export type { IceSettings, MediaSettings, ServerContext } from './objects/ServerContext.js';
export { KURENTO_API_VERSION } from './objects/ServerManager.js';
export * as valueTypes from './objects/valueTypes.js';
export { DEFAULT_FILTER_ELEMENTS, type TranscodingMode } from './processing/index.js';
export {
  type ContainerFormat,
  MEDIA_PROFILE_NAMES,
  type MediaProfile,
  type MediaProfileName,
  type RecordedCodec,
  type TrackKind,
} from './recording/MediaProfile.js';
export { createMediaServer, type MediaServer } from './server/MediaServer.js';
export {
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MEDIA_ROOT,
  DEFAULT_PATH,
  DEFAULT_PORT,
  DEFAULT_SESSION_GRACE_PERIOD_MS,
  type IceOptions,
  type MediaServerOptions,
  type SendPath,
} from './server/options.js';
export type { ProcessingOptions } from './server/processingOptions.js';
export type { ElementStatsKind } from './stats/elementStats.js';
export type { DataChannelOptions } from './transport/types.js';
export {
  DEFAULT_WHIP_CONNECT_TIMEOUT_MS,
  WHIP_ROLE_TAG,
  WHIP_STREAM_TAG,
  type WhipAction,
  type WhipIceServer,
  type WhipOptions,
  type WhipStatus,
  type WhipStreamInfo,
  type WhipTokenRequest,
  type WhipTokenVerifier,
} from './whip/index.js';

export type { CodecAdaptation, CodecAdapter } from './CodecAdapter.js';
export { MediaGraphError, type MediaGraphErrorCode } from './errors.js';
export { HubPortNode } from './HubPortNode.js';
export {
  isH264KeyframeStart,
  isKeyframeStart,
  isVp8KeyframeStart,
  isVp9KeyframeStart,
  vp8FrameStart,
} from './keyframe.js';
export { type VideoSize, videoSizeOf } from './keyframeSize.js';
export { LATENCY_AVERAGE_WEIGHT, LatencyAverage } from './LatencyAverage.js';
export {
  codecName,
  describeCodec,
  fmtpParameter,
  fmtpValue,
  isCodecCompatible,
  type MediaCodec,
} from './MediaCodec.js';
export {
  DEFAULT_PAD_NAME,
  type ElementConnection,
  type MediaFlowChange,
  MediaNode,
  type MediaNodeEvents,
  type MediaNodeOptions,
  type MediaTranscodingChange,
} from './MediaNode.js';
export type { DataMessage, MediaPacket } from './MediaPacket.js';
export { MediaSinkPad, RECEIVER_BITRATE_LIFETIME_MS } from './MediaSinkPad.js';
export { KEYFRAME_REQUEST_INTERVAL_MS, MediaSourcePad } from './MediaSourcePad.js';
export {
  isMediaType,
  MEDIA_TYPES,
  type MediaFlowState,
  type MediaType,
  RTP_MEDIA_TYPES,
} from './MediaType.js';
export { PassThroughNode, passThrough } from './PassThroughNode.js';
export { type RtpHeaderFields, RtpStreamRewriter } from './RtpStreamRewriter.js';
export { type EventMap, TypedEventEmitter } from './TypedEventEmitter.js';
export { VideoFrameMeter } from './VideoFrameMeter.js';

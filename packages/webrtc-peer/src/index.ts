/**
 * The browser side of a WebRTC session: {@link WebRtcPeer} (capture, offer/answer, trickle ICE,
 * data channel, stats) and the kurento-utils-js compatible {@link kurentoUtils} facade. WHIP and
 * WHEP clients are in `@medley/webrtc-peer/whip`.
 *
 * @module @medley/webrtc-peer
 * @document ../CHANGELOG.md
 */
export { preferCodecs } from './codecs.js';
export {
  createRecvonlyPeer,
  createSendonlyPeer,
  createSendrecvPeer,
  createWebRtcPeer,
  type ModeOptions,
} from './createWebRtcPeer.js';
export { type DataChannelPayload, sendWithBackpressure } from './dataChannel.js';
export { capEncodings, defaultSimulcastEncodings } from './encodings.js';
export { WebRtcPeerError, type WebRtcPeerErrorCode } from './errors.js';
/** The kurento-utils-js compatible callback API, for code migrating from `kurento-utils`. */
export * as kurentoUtils from './kurento-utils.js';
export { captureMedia, defaultMediaConstraints, type SendSource } from './media.js';
export { type MediaSection, mediaSections, parseRemoteSdp, type SdpType } from './sdp.js';
export {
  type InboundMediaStats,
  type MediaFlowStats,
  type OutboundMediaStats,
  type PeerStats,
  type StatsBaseline,
  summarizeStats,
} from './stats.js';
export type { EmitArgs, Listener } from './TypedEventEmitter.js';
export {
  type DataChannelMessage,
  type DataChannelOptions,
  type MediaKind,
  type RemoteTrack,
  WebRtcPeer,
  type WebRtcPeerEvents,
  type WebRtcPeerMode,
  type WebRtcPeerOptions,
  type WebRtcPeerStats,
} from './WebRtcPeer.js';

/** This package's version. */
export const VERSION = '0.1.0';

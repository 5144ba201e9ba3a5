export { WebRtcTransportError, type WebRtcTransportErrorCode } from './errors.js';
export {
  IceUdpMux,
  type IceUdpMuxCounters,
  type IceUdpMuxOptions,
} from './iceMux/IceUdpMux.js';
export {
  addRtpTraffic,
  emptyRtpTrafficByKind,
  type RtpMediaKind,
  type RtpTraffic,
  type RtpTrafficByKind,
  rtpMediaKinds,
} from './RtpTraffic.js';
export { loadNativeSrtp, type NativeSrtpBinding } from './srtp/nativeSrtpBinding.js';
export { SrtpWorkerPool } from './srtp/SrtpWorkerPool.js';
export type {
  ConnectionState,
  DataChannelEvent,
  IceCandidate,
  IceCandidatePair,
  IceComponentState,
  IceComponentStateChange,
  IceServer,
  MediaState,
  StateChange,
  TransportStatsEntry,
  WebRtcTransportEvents,
  WebRtcTransportOptions,
} from './types.js';
export { WebRtcTransport } from './WebRtcTransport.js';

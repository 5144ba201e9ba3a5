/**
 * The client half of Medley signaling, for browsers (ESM, CommonJS, or the script-tag bundle
 * with the global `medleySignaling`) and Node: {@link SignalingClient}, and {@link attachPeer}
 * to wire a WebRTC peer to it.
 *
 * @module @medley/signaling
 */

export {
  ExponentialBackoff,
  type ExponentialBackoffOptions,
  neverReconnect,
  type ReconnectContext,
  type ReconnectPolicy,
} from './client/ReconnectPolicy.js';
export {
  type AuthPayload,
  type ConnectionEvents,
  type ConnectionState,
  connect,
  type DisconnectReason,
  type RequestOptions,
  SignalingClient,
  type SignalingClientOptions,
} from './client/SignalingClient.js';
export {
  isSignalingError,
  type ServerErrorCode,
  SignalingError,
  type SignalingErrorCode,
} from './errors.js';
export type { IceCandidateInit, NegotiablePeer } from './peer/NegotiablePeer.js';
export { NegotiationEpoch } from './peer/NegotiationEpoch.js';
export {
  attachPeer,
  PeerSignaling,
  type PeerSignalingEvents,
  type PeerSignalingOptions,
} from './peer/PeerSignaling.js';
export {
  type PeerCandidate,
  type PeerDescription,
  PeerMessage,
  type PeerSignalingProtocol,
} from './peer/PeerSignalingProtocol.js';
export type {
  EventName,
  EventPayload,
  Protocol,
  RequestPayload,
  RequestType,
  ResponsePayload,
  UntypedProtocol,
} from './protocol.js';
export type { Listenable } from './TypedEmitter.js';
export { type RequestAnswer, type SessionWelcome, WireEvent } from './wire.js';

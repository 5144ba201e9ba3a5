/**
 * The app-server half of Medley signaling (Node only): {@link SignalingServer}, its sessions and
 * rooms, and the payload schemas it validates requests with.
 *
 * @module @medley/signaling/server
 */
export {
  isSignalingError,
  type ServerErrorCode,
  SignalingError,
  type SignalingErrorCode,
} from '../errors.js';
export type { IceCandidateInit } from '../peer/NegotiablePeer.js';
export { NegotiationEpoch } from '../peer/NegotiationEpoch.js';
export {
  type PeerCandidate,
  type PeerDescription,
  PeerMessage,
  type PeerSignalingProtocol,
} from '../peer/PeerSignalingProtocol.js';
export type {
  EventName,
  EventPayload,
  Protocol,
  RequestPayload,
  RequestType,
  ResponsePayload,
  UntypedProtocol,
} from '../protocol.js';
export { type RequestAnswer, type SessionWelcome, WireEvent } from '../wire.js';
export { clusterOverRedis } from './clusterOverRedis.js';
export { type PeerRequestSchemas, peerSignalingSchemas } from './peerSchemas.js';
export { promptTransportUpgrades } from './promptTransportUpgrades.js';
export type { RedisConnectionLog, SignalingRedisOptions } from './RedisOptions.js';
export {
  createRedisStreamsAdapter,
  type RedisAdapterHandle,
  type RedisStreamsAdapterSettings,
} from './RedisStreamsAdapter.js';
export type { Session, SessionEndReason } from './Session.js';
export type { SharedStore } from './SharedStore.js';
export {
  type Awaitable,
  type RequestHandler,
  type RequestSchemas,
  SignalingServer,
  type SignalingServerHooks,
  type SignalingServerOptions,
  type SignalingServerTarget,
} from './SignalingServer.js';
export type {
  Infer,
  OptionalSchema,
  Schema,
  StandardSchemaIssue,
  StandardSchemaResult,
  StandardSchemaV1,
} from './schema.js';
export * as schema from './schema.js';

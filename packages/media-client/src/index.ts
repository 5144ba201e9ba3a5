/**
 * A typed client of the Kurento Protocol for Node and browsers: {@link connect} to a media server,
 * then create and drive its pipelines and elements.
 *
 * @packageDocumentation
 * @document ../CHANGELOG.md
 */
export type {
  JsonRpcErrorObject,
  MediaClientErrorCode,
  MediaServerErrorCode,
} from './errors.js';
export {
  isMediaServerError,
  kurentoErrorCodes,
  MediaClientError,
  MediaServerError,
} from './errors.js';
export type { MediaClientEvents, MediaClientOptions } from './MediaClient.js';
export { connect, MediaClient } from './MediaClient.js';
export type * from './model/api.js';
export type * from './model/events.js';
export type {
  MethodSpec,
  ParamSpec,
  ParamSpecs,
  ResultDecoding,
  TypeSpec,
} from './model/schema.js';
export { schema } from './model/schema.js';
export type * from './model/stats.js';
export type * from './model/values.js';
export type { Transaction } from './objects/Transaction.js';
export type { ServerLink } from './pool/connectAcrossServers.js';
export { connectAcrossServers } from './pool/connectAcrossServers.js';
export type {
  MediaServerPoolEvents,
  MediaServerPoolOptions,
  PooledMediaServer,
  PoolServerChange,
} from './pool/MediaServerPool.js';
export { MediaServerPool } from './pool/MediaServerPool.js';
export type { ClientConnectionState } from './rpc/JsonRpcConnection.js';
export type { ReconnectContext, ReconnectPolicy } from './rpc/ReconnectPolicy.js';
export { DefaultReconnectPolicy, noReconnect } from './rpc/ReconnectPolicy.js';
export type { WebSocketConstructor, WebSocketLike } from './rpc/WebSocketLike.js';

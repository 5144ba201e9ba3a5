import type { JsonRpcParams } from '../rpc/messages.js';
import type { EventSubscriptions } from './EventSubscriptions.js';
import type { RemoteMediaObject } from './RemoteMediaObject.js';

/**
 * Where an object's requests go: straight to the server, or into a transaction that sends them
 * together when it commits.
 */
export interface ObjectChannel {
  readonly isTransaction: boolean;
  /** Resolves with the raw `value` of the answer. */
  invoke(object: RemoteMediaObject, operation: string, params: JsonRpcParams): Promise<unknown>;
  release(object: RemoteMediaObject): Promise<void>;
}

/** What objects need from the client that owns them. */
export interface ObjectContext {
  /** The channel that sends straight to the server. */
  readonly channel: ObjectChannel;
  readonly subscriptions: EventSubscriptions;
  /** The object for an id from a result; its type comes from the id or, failing that, `describe`. */
  objectFromId(id: string): Promise<RemoteMediaObject>;
  create(type: string, constructorParams: JsonRpcParams): Promise<RemoteMediaObject>;
  /** Forgets client-side state of a released object (and, for a pipeline, of its elements). */
  forgetReleased(objectId: string): void;
}

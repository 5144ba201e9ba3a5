import { MediaClientError } from '../errors.js';
import type { EventHandler } from '../model/api.js';
import type { MethodSpec, ParamSpec, ResultDecoding } from '../model/schema.js';
import type { JsonRpcParams } from '../rpc/messages.js';
import { tagComplexValue } from './complexValues.js';
import type { ObjectChannel, ObjectContext } from './ObjectContext.js';

type AnyHandler = EventHandler<never>;

/**
 * `{id}` for an object that exists (its calls go to `channel`, by default straight to the
 * server); `{pendingIn}` for one a transaction will create.
 */
export type ObjectBinding = { id: string; channel?: ObjectChannel } | { pendingIn: ObjectChannel };

/**
 * A MediaObject on the server, seen from the client. The classes of the concrete types
 * (objects/classes.ts) extend this one with the remote methods listed in the schema; callers see
 * it through the interfaces of model/api.ts.
 *
 * An object created in a transaction has no id until the transaction commits: until then its
 * calls are recorded in the transaction, and afterwards they go straight to the server.
 */
export class RemoteMediaObject {
  readonly type: string;
  protected readonly context: ObjectContext;
  #channel: ObjectChannel;
  #id: string | undefined;
  #creationError: Error | undefined;
  readonly #created: Promise<string>;
  #settleCreation: { resolve(id: string): void; reject(error: Error): void } | undefined;

  constructor(context: ObjectContext, type: string, binding: ObjectBinding) {
    this.type = type;
    this.context = context;
    if ('id' in binding) {
      this.#id = binding.id;
      this.#channel = binding.channel ?? context.channel;
      this.#created = Promise.resolve(binding.id);
    } else {
      this.#channel = binding.pendingIn;
      this.#created = new Promise((resolve, reject) => {
        this.#settleCreation = { resolve, reject };
      });
      this.#created.catch(() => {}); // observed through `id` and the transaction's own promise
    }
  }

  get id(): string {
    if (this.#id !== undefined) return this.#id;
    throw (
      this.#creationError ??
      new MediaClientError(
        'TRANSACTION_STATE',
        `This ${this.type} is created by a transaction that has not committed yet: use it after client.transaction() resolves.`,
      )
    );
  }

  /** The id once the object exists on the server. */
  whenCreated(): Promise<string> {
    return this.#created;
  }

  /** Called by the transaction that created this object once the server answered. */
  bindCreated(id: string, channel: ObjectChannel): void {
    this.#id = id;
    this.#channel = channel;
    this.#settleCreation?.resolve(id);
  }

  /** Called by the transaction that should have created this object when it failed. */
  failCreation(error: Error): void {
    this.#creationError = error;
    this.#settleCreation?.reject(error);
  }

  /** Called by a transaction to send later calls straight to the server after it committed. */
  rebind(channel: ObjectChannel): void {
    this.#channel = channel;
  }

  /** A second handle on this object whose calls go to `channel` (a transaction's). */
  viewThrough(channel: ObjectChannel): RemoteMediaObject {
    const ObjectClass = this.constructor as typeof RemoteMediaObject;
    return new ObjectClass(this.context, this.type, { id: this.id, channel });
  }

  on(event: string, handler: AnyHandler): Promise<void> {
    return observed(
      this.#created.then((id) =>
        this.context.subscriptions.add(id, event, handler, { once: false }),
      ),
    );
  }

  once(event: string, handler: AnyHandler): Promise<void> {
    return observed(
      this.#created.then((id) =>
        this.context.subscriptions.add(id, event, handler, { once: true }),
      ),
    );
  }

  off(event: string, handler: AnyHandler): Promise<void> {
    if (this.#id === undefined) return Promise.resolve();
    return observed(this.context.subscriptions.remove(this.#id, event, handler));
  }

  release(): Promise<void> {
    return this.#track(
      this.#channel.release(this).then(() => this.context.forgetReleased(this.id)),
    );
  }

  /** Calls a remote method described by the schema with the caller's positional arguments. */
  invokeMethod(operation: string, spec: MethodSpec, args: readonly unknown[]): Promise<unknown> {
    const { params, result } = normalizeMethodSpec(spec);
    const operationParams: JsonRpcParams = {};
    params.forEach((param, index) => {
      const value = args[index];
      if (value === undefined) return;
      if (typeof param === 'string') operationParams[param] = value;
      else operationParams[param[0]] = tagComplexValue(value, param[1]);
    });
    const answer = this.#channel.invoke(this, operation, operationParams);
    return this.#track(result ? answer.then((value) => this.#decode(value, result)) : answer);
  }

  toJSON(): string | undefined {
    return this.#id;
  }

  /** Node's console shows `WebRtcEndpoint { id }` rather than the client internals. */
  [Symbol.for('nodejs.util.inspect.custom')](): object {
    return Object.defineProperty({ id: this.#id ?? '(pending)' }, Symbol.toStringTag, {
      value: this.type,
    });
  }

  /** Calls recorded in a transaction are settled by its commit: mark them observed. */
  #track<T>(promise: Promise<T>): Promise<T> {
    if (this.#channel.isTransaction) promise.catch(() => {});
    return promise;
  }

  async #decode(value: unknown, decoding: ResultDecoding): Promise<unknown> {
    const objectFromId = (id: unknown) =>
      typeof id === 'string' && id !== '' ? this.context.objectFromId(id) : undefined;
    switch (decoding) {
      case 'object':
        return objectFromId(value);
      case 'objects':
        return Promise.all((Array.isArray(value) ? value : []).map(objectFromId));
      case 'connections':
        return Promise.all(
          (Array.isArray(value) ? value : []).map(async (connection: Record<string, unknown>) => ({
            ...connection,
            source: await objectFromId(connection.source),
            sink: await objectFromId(connection.sink),
          })),
        );
    }
  }
}

/**
 * `on()` reads like an EventEmitter call, so callers often do not await it: a failed
 * subscription must not then crash the process as an unhandled rejection. Awaiting still
 * delivers the error.
 */
function observed(promise: Promise<void>): Promise<void> {
  promise.catch(() => {});
  return promise;
}

function normalizeMethodSpec(spec: MethodSpec): {
  params: readonly ParamSpec[];
  result: ResultDecoding | undefined;
} {
  if ('result' in spec) return { params: spec.params as readonly ParamSpec[], result: spec.result };
  return { params: spec as readonly ParamSpec[], result: undefined };
}

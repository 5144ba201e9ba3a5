import { MediaClientError, MediaServerError } from '../errors.js';
import type {
  ElementParams,
  ElementTypeName,
  MediaObjectTypes,
  MediaPipeline,
} from '../model/api.js';
import { isJsonRpcErrorObject, type JsonRpcParams } from '../rpc/messages.js';
import { instantiate, nearestKnownType } from './classes.js';
import { tagConstructorParams } from './complexValues.js';
import type { ObjectChannel, ObjectContext } from './ObjectContext.js';
import { RemoteMediaObject } from './RemoteMediaObject.js';
import { toWireParams } from './wireValues.js';

/**
 * Operations recorded by `client.transaction(tx => ...)` and sent as one `transaction` request.
 * Objects it creates can be used right away in later operations of the same transaction (they
 * travel as `newref:N`); their methods return promises that settle when the transaction commits.
 */
export interface Transaction {
  /** Records the creation of a pipeline; the object is usable at once in later operations. */
  create(type: 'MediaPipeline'): MediaPipeline;
  /**
   * Records the creation of an element in `params.mediaPipeline` (which may be one of this
   * transaction's).
   */
  create<T extends ElementTypeName>(
    type: T,
    params: ElementParams[T] & { mediaPipeline: MediaPipeline },
  ): MediaObjectTypes[T];
  /** A handle on an existing object whose calls are recorded in this transaction. */
  use<
    O extends {
      /** The object's id. */
      readonly id: string;
      /** Its Kurento type name. */
      readonly type: string;
    },
  >(object: O): O;
}

interface RecordedOperation {
  readonly method: 'create' | 'invoke' | 'release';
  readonly params: JsonRpcParams;
  readonly description: string;
  readonly created?: RemoteMediaObject;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/** Where a transaction goes once its callback returns. */
export interface TransactionHost {
  readonly context: ObjectContext;
  /** Sends the `transaction` request; resolves with the per-operation responses. */
  sendTransaction(operations: JsonRpcParams[]): Promise<unknown[]>;
}

export class RecordingTransaction implements Transaction, ObjectChannel {
  readonly isTransaction = true;
  readonly #operations: RecordedOperation[] = [];
  readonly #objects = new Set<RemoteMediaObject>();
  #committed = false;

  constructor(private readonly host: TransactionHost) {}

  create(type: 'MediaPipeline'): MediaPipeline;
  create<T extends ElementTypeName>(
    type: T,
    params: ElementParams[T] & { mediaPipeline: MediaPipeline },
  ): MediaObjectTypes[T];
  create(type: string, params: JsonRpcParams = {}): unknown {
    this.#assertRecording(`create ${type}`);
    const object = instantiate(nearestKnownType(type), type, this.host.context, {
      pendingIn: this,
    });
    this.#objects.add(object);
    const constructorParams = toWireParams(tagConstructorParams(type, params), (reference) =>
      this.#referenceOf(reference),
    );
    // The outcome reaches the caller through the object (its id) and the transaction's promise.
    this.#record(
      'create',
      { type, constructorParams, properties: {} },
      `create ${type}`,
      object,
    ).catch(() => {});
    return object;
  }

  use<O extends { readonly id: string; readonly type: string }>(object: O): O {
    this.#assertRecording('use');
    if (!(object instanceof RemoteMediaObject)) {
      throw new MediaClientError('INVALID_ARGUMENT', 'tx.use() takes an object of this client.');
    }
    const view = object.viewThrough(this);
    this.#objects.add(view);
    return view as unknown as O;
  }

  invoke(object: RemoteMediaObject, operation: string, params: JsonRpcParams): Promise<unknown> {
    const description = `${object.type}.${operation}`;
    if (this.#committed) return Promise.reject(this.#committedError(description));
    try {
      const operationParams = toWireParams(params, (reference) => this.#referenceOf(reference));
      return this.#record(
        'invoke',
        { object: this.#referenceOf(object), operation, operationParams },
        description,
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  release(object: RemoteMediaObject): Promise<void> {
    const description = `release ${object.type}`;
    if (this.#committed) return Promise.reject(this.#committedError(description));
    return this.#record('release', { object: this.#referenceOf(object) }, description).then(
      () => undefined,
    );
  }

  /** Drops the recorded operations unsent, failing them with `error`. */
  discard(error: Error): void {
    this.#committed = true;
    for (const operation of this.#operations) this.#fail(operation, error);
  }

  /** Sends the recorded operations; rejects with the first failed operation's error. */
  async commit(): Promise<void> {
    this.#committed = true;
    const operations = this.#operations;
    if (operations.length === 0) return;
    let responses: unknown[];
    try {
      responses = await this.host.sendTransaction(
        operations.map((operation, index) => ({
          jsonrpc: '2.0',
          id: index,
          method: operation.method,
          params: operation.params,
        })),
      );
    } catch (error) {
      for (const operation of operations) this.#fail(operation, error as Error);
      throw error;
    }
    let firstError: Error | undefined;
    operations.forEach((operation, index) => {
      const error = this.#settle(operation, responseFor(responses, index));
      firstError ??= error;
    });
    for (const object of this.#objects) object.rebind(this.host.context.channel);
    if (firstError) throw firstError;
  }

  #settle(operation: RecordedOperation, response: unknown): Error | undefined {
    const answer = response as { result?: { value?: unknown }; error?: unknown } | undefined;
    if (answer && isJsonRpcErrorObject(answer.error)) {
      const error = new MediaServerError(answer.error, operation.description);
      this.#fail(operation, error);
      return error;
    }
    if (!answer || !('result' in answer)) {
      const error = new MediaClientError(
        'TRANSACTION_ABORTED',
        `${operation.description}: not run, because an earlier operation of its transaction failed.`,
      );
      this.#fail(operation, error);
      return error;
    }
    const value = answer.result?.value;
    if (operation.created) {
      if (typeof value !== 'string') {
        const error = new MediaClientError(
          'PROTOCOL_ERROR',
          `${operation.description}: the server answered no object id.`,
        );
        this.#fail(operation, error);
        return error;
      }
      operation.created.bindCreated(value, this.host.context.channel);
    }
    operation.resolve(value);
    return undefined;
  }

  #fail(operation: RecordedOperation, error: Error): void {
    operation.created?.failCreation(error);
    operation.reject(error);
  }

  #record(
    method: RecordedOperation['method'],
    params: JsonRpcParams,
    description: string,
    created?: RemoteMediaObject,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#operations.push({ method, params, description, created, resolve, reject });
    });
  }

  /** `newref:N` for an object created by operation N of this transaction, else its id. */
  #referenceOf(object: RemoteMediaObject): string {
    const index = this.#operations.findIndex((operation) => operation.created === object);
    return index >= 0 ? `newref:${index}` : object.id;
  }

  #assertRecording(what: string): void {
    if (this.#committed) throw this.#committedError(what);
  }

  #committedError(what: string): MediaClientError {
    return new MediaClientError(
      'TRANSACTION_STATE',
      `${what}: the transaction has already been sent. Record operations inside the callback of client.transaction(), synchronously.`,
    );
  }
}

/** The response for operation `index`: matched by id, falling back to position. */
function responseFor(responses: unknown[], index: number): unknown {
  const byId = responses.find((response) => (response as { id?: unknown } | null)?.id === index);
  return byId ?? responses[index];
}

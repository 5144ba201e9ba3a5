import { MediaClientError } from './errors.js';
import { KurentoSession, SERVER_MANAGER_ID } from './KurentoSession.js';
import type {
  ElementParams,
  ElementTypeName,
  MediaObjectTypeName,
  MediaObjectTypes,
  MediaPipeline,
  ServerManager,
} from './model/api.js';
import { RecordingTransaction, type Transaction } from './objects/Transaction.js';
import type { ClientConnectionState } from './rpc/JsonRpcConnection.js';
import type { JsonRpcParams } from './rpc/messages.js';
import { DefaultReconnectPolicy, type ReconnectPolicy } from './rpc/ReconnectPolicy.js';
import { resolveWebSocket, type WebSocketConstructor } from './rpc/WebSocketLike.js';
import { TypedEmitter } from './util/TypedEmitter.js';

/** The options of {@link connect}; all are optional. */
export interface MediaClientOptions {
  /**
   * The WebSocket class to use. By default the global `WebSocket` (browsers, Node 22+), else the
   * `ws` package in Node.
   */
  WebSocket?: WebSocketConstructor;
  /** Milliseconds to wait for each answer before failing with `REQUEST_TIMEOUT`. Default 20000. */
  requestTimeout?: number;
  /**
   * Milliseconds between keep-alive pings; a ping unanswered by the next one drops the socket and
   * reconnects (a half-open TCP connection never closes by itself). The first ping also tells the
   * server how long to keep the session of a silent client. 0 disables pings. Default 20000.
   */
  pingInterval?: number;
  /**
   * When to try again after the connection drops. By default quickly, then every 5 s, for one
   * minute; requests made meanwhile wait (up to their timeout) and are sent once reconnected.
   */
  reconnectPolicy?: ReconnectPolicy;
}

/** The events of a {@link MediaClient}, with the value their listeners receive. */
export interface MediaClientEvents {
  /** The connection dropped; the client is reconnecting and requests wait. */
  disconnected: undefined;
  /**
   * The connection is back. `sessionResumed: false` means the server had forgotten the session:
   * every object of this client is gone and must be created again.
   */
  reconnected: {
    /** Whether the server still had the session (and so every object of this client). */
    sessionResumed: boolean;
  };
  /** The client closed for good: `close()` was called, or reconnecting failed (`error`). */
  closed: {
    /** Why it closed, when it was not `close()`: `CONNECTION_CLOSED` or `SESSION_LOST`. */
    error: MediaClientError | undefined;
  };
  /** An event listener threw, or a subscription could not be renewed after a reconnect. */
  error: unknown;
}

/**
 * A connection to a Kurento-Protocol media server (Medley or KMS). Create one with `connect()`.
 *
 * ```ts
 * const client = await connect('ws://127.0.0.1:8888/kurento');
 * const pipeline = await client.create('MediaPipeline');
 * const webRtc = await pipeline.create('WebRtcEndpoint');
 * ```
 */
export class MediaClient extends TypedEmitter<MediaClientEvents> {
  /** The server's URL, as given to `connect()`. */
  readonly url: string;
  /** The server itself: `getInfo()`, `getPipelines()`, `getSessions()`, ... */
  readonly serverManager: ServerManager;
  readonly #session: KurentoSession;

  /** Use `connect()`: the client is usable once its session is established. */
  constructor(url: string, options: Required<MediaClientOptions>) {
    super();
    this.url = url;
    this.#session = new KurentoSession(
      { url, ...options },
      {
        onDisconnected: () => this.emit('disconnected', undefined),
        onReconnected: (sessionResumed) => this.emit('reconnected', { sessionResumed }),
        onClosed: (error) => this.emit('closed', { error }),
        onError: (error) => this.#reportError(error),
      },
    );
    this.serverManager = this.#session.objectFor(
      SERVER_MANAGER_ID,
      'ServerManager',
    ) as unknown as ServerManager;
  }

  /** Opens the connection and the session. */
  async open(): Promise<this> {
    await this.#session.open();
    return this;
  }

  /** The server's id for this client's session; it survives reconnections. */
  get sessionId(): string | undefined {
    return this.#session.sessionId;
  }

  /**
   * Where the connection stands; the `disconnected`, `reconnected` and `closed` events tell
   * changes.
   */
  get state(): ClientConnectionState {
    return this.#session.connection.state;
  }

  /** Creates a media pipeline, the container of elements; release it to release them all. */
  create(type: 'MediaPipeline'): Promise<MediaPipeline>;
  /**
   * Creates an element of `type` in `params.mediaPipeline` (or use `pipeline.create(type)`).
   * Rejects with a {@link MediaServerError}, e.g. `MEDIA_OBJECT_TYPE_NOT_FOUND` for a type the
   * server does not have, or `NOT_ENOUGH_RESOURCES` when it refuses new endpoints.
   */
  create<T extends ElementTypeName>(
    type: T,
    params: ElementParams[T] & { mediaPipeline: MediaPipeline },
  ): Promise<MediaObjectTypes[T]>;
  async create(type: string, params: JsonRpcParams = {}): Promise<unknown> {
    return this.#session.create(type, params);
  }

  /**
   * The object with this id, which may belong to another session. Its type comes from the server
   * (`describe`); `T` only states what the caller expects.
   */
  async getMediaObjectById<T extends MediaObjectTypeName = 'MediaObject'>(
    id: string,
  ): Promise<MediaObjectTypes[T]> {
    return (await this.#session.describe(id)) as unknown as MediaObjectTypes[T];
  }

  /**
   * Records the operations made in `build` and sends them as one `transaction` request. `build`
   * runs synchronously: objects it creates can be used in its later operations, and the promises
   * of its calls settle once the transaction is answered. Resolves with `build`'s result, or
   * rejects with the first failed operation's error (objects created before it still exist).
   *
   * ```ts
   * const { pipeline, webRtc } = await client.transaction((tx) => {
   *   const pipeline = tx.create('MediaPipeline');
   *   const webRtc = tx.create('WebRtcEndpoint', { mediaPipeline: pipeline });
   *   void webRtc.connect(webRtc);
   *   return { pipeline, webRtc };
   * });
   * ```
   */
  async transaction<T>(build: (tx: Transaction) => T): Promise<T> {
    const transaction = new RecordingTransaction(this.#session);
    let result: T;
    try {
      result = build(transaction);
      if (result instanceof Promise) {
        throw new MediaClientError(
          'TRANSACTION_STATE',
          'client.transaction(): the callback must be synchronous; its operations are sent when it returns.',
        );
      }
    } catch (error) {
      transaction.discard(error as Error);
      throw error;
    }
    await transaction.commit();
    return result;
  }

  /** Closes the connection. Server objects stay until released or until the session expires. */
  close(): void {
    this.#session.close();
  }

  #reportError(error: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else console.error('@medley/media-client:', error);
  }
}

/**
 * Connects to a media server speaking the Kurento Protocol, e.g. `ws://127.0.0.1:8888/kurento`.
 * Resolves once the session is established; fails with `CONNECTION_FAILED` if the server cannot
 * be reached (no retry on the first connection: a wrong URL should fail fast).
 */
export async function connect(url: string, options: MediaClientOptions = {}): Promise<MediaClient> {
  const client = new MediaClient(url, {
    WebSocket: options.WebSocket ?? (await resolveWebSocket()),
    requestTimeout: options.requestTimeout ?? 20_000,
    pingInterval: options.pingInterval ?? 20_000,
    reconnectPolicy: options.reconnectPolicy ?? new DefaultReconnectPolicy(),
  });
  return client.open();
}

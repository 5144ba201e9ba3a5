import { isMediaServerError, MediaClientError } from './errors.js';
import { instantiate, nearestKnownType } from './objects/classes.js';
import { tagConstructorParams } from './objects/complexValues.js';
import { EventSubscriptions } from './objects/EventSubscriptions.js';
import type { ObjectChannel, ObjectContext } from './objects/ObjectContext.js';
import type { RemoteMediaObject } from './objects/RemoteMediaObject.js';
import type { TransactionHost } from './objects/Transaction.js';
import { toWireParams } from './objects/wireValues.js';
import type { ClientConnectionState, HandshakeSender } from './rpc/JsonRpcConnection.js';
import { JsonRpcConnection } from './rpc/JsonRpcConnection.js';
import type { JsonRpcParams } from './rpc/messages.js';
import type { ReconnectPolicy } from './rpc/ReconnectPolicy.js';
import type { WebSocketConstructor } from './rpc/WebSocketLike.js';

export const SERVER_MANAGER_ID = 'manager_ServerManager';

export interface SessionOptions {
  url: string;
  WebSocket: WebSocketConstructor;
  requestTimeout: number;
  pingInterval: number;
  reconnectPolicy: ReconnectPolicy;
}

export interface SessionListener {
  onDisconnected(): void;
  onReconnected(sessionResumed: boolean): void;
  onClosed(error: MediaClientError | undefined): void;
  onError(error: unknown): void;
}

const referenceOf = (object: RemoteMediaObject) => object.id;

/**
 * One Kurento session over a reconnecting JSON-RPC connection: creates the session, resumes it
 * after a drop (`connect {sessionId}`), pings to detect dead sockets, stamps `sessionId` on every
 * request, and routes `onEvent` notifications to the listeners of their object.
 */
export class KurentoSession implements ObjectContext, TransactionHost {
  readonly connection: JsonRpcConnection;
  readonly subscriptions: EventSubscriptions;
  readonly channel: ObjectChannel;
  readonly context: ObjectContext = this;
  #sessionId: string | undefined;
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  #pingInFlight = false;

  constructor(
    private readonly options: SessionOptions,
    private readonly listener: SessionListener,
  ) {
    this.connection = new JsonRpcConnection({
      url: options.url,
      WebSocket: options.WebSocket,
      requestTimeout: options.requestTimeout,
      reconnectPolicy: options.reconnectPolicy,
      handshake: (send, reopened) => this.#handshake(send, reopened),
      onNotification: (method, params) => this.#onNotification(method, params),
      onStateChange: (state, error) => this.#onStateChange(state, error),
    });
    this.subscriptions = new EventSubscriptions(
      {
        subscribe: async (object, type) =>
          String(
            await this.#value('subscribe', { type, object }, `subscribe ${type} on ${object}`),
          ),
        unsubscribe: async (object, subscription) => {
          await this.request('unsubscribe', { object, subscription }, `unsubscribe from ${object}`);
        },
      },
      (error) => listener.onError(error),
    );
    this.channel = {
      isTransaction: false,
      invoke: (object, operation, params) =>
        this.#value(
          'invoke',
          { object: object.id, operation, operationParams: toWireParams(params, referenceOf) },
          `${object.type}.${operation}`,
        ),
      release: async (object) => {
        await this.request('release', { object: object.id }, `release ${object.type}`);
      },
    };
  }

  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  async open(): Promise<void> {
    await this.connection.open();
    if (this.options.pingInterval > 0) {
      this.#keepAlive = setInterval(() => this.#ping(), this.options.pingInterval);
      (this.#keepAlive as { unref?: () => void }).unref?.();
    }
  }

  close(): void {
    clearInterval(this.#keepAlive);
    this.connection.close();
  }

  /** Sends a request of this session; resolves with the raw `result`. */
  request(method: string, params: JsonRpcParams, description?: string): Promise<unknown> {
    return this.connection.request(
      method,
      { ...params, sessionId: this.#sessionId },
      { description: description ?? method },
    );
  }

  async create(type: string, constructorParams: JsonRpcParams): Promise<RemoteMediaObject> {
    const id = await this.#value(
      'create',
      {
        type,
        constructorParams: toWireParams(tagConstructorParams(type, constructorParams), referenceOf),
        properties: {},
      },
      `create ${type}`,
    );
    if (typeof id !== 'string') {
      throw new MediaClientError('PROTOCOL_ERROR', `create ${type}: the server answered no id.`);
    }
    return this.objectFor(id, type);
  }

  objectFor(id: string, serverType: string, hierarchy?: readonly string[]): RemoteMediaObject {
    return instantiate(nearestKnownType(serverType, hierarchy), serverType, this, { id });
  }

  async objectFromId(id: string): Promise<RemoteMediaObject> {
    const type = typeFromId(id);
    return type ? this.objectFor(id, type) : this.describe(id);
  }

  /** Asks the server for the type of `id`; fails with MEDIA_OBJECT_NOT_FOUND if it has none. */
  async describe(id: string): Promise<RemoteMediaObject> {
    const description = (await this.request('describe', { object: id }, `describe ${id}`)) as {
      type?: unknown;
      hierarchy?: unknown;
    };
    if (typeof description?.type !== 'string') {
      throw new MediaClientError('PROTOCOL_ERROR', `describe ${id}: the server answered no type.`);
    }
    const hierarchy = Array.isArray(description.hierarchy)
      ? description.hierarchy.filter((name): name is string => typeof name === 'string')
      : [];
    return this.objectFor(id, description.type, hierarchy);
  }

  forgetReleased(objectId: string): void {
    this.subscriptions.forget(objectId);
  }

  async sendTransaction(operations: JsonRpcParams[]): Promise<unknown[]> {
    const value = await this.#value('transaction', { operations }, 'transaction');
    if (!Array.isArray(value)) {
      throw new MediaClientError('PROTOCOL_ERROR', 'transaction: the server answered no list.');
    }
    return value;
  }

  async #value(method: string, params: JsonRpcParams, description: string): Promise<unknown> {
    const result = await this.request(method, params, description);
    return (result as { value?: unknown } | null | undefined)?.value;
  }

  async #handshake(send: HandshakeSender, reopened: boolean): Promise<void> {
    let resumed = false;
    if (reopened && this.#sessionId !== undefined) {
      try {
        await send('connect', { sessionId: this.#sessionId }, { description: 'resume session' });
        resumed = true;
      } catch (error) {
        if (!isMediaServerError(error, 'INVALID_SESSION')) throw error;
        this.#onSessionLost();
      }
    }
    if (!resumed) {
      const result = (await send('connect', undefined, { description: 'connect' })) as {
        sessionId?: unknown;
      };
      if (typeof result?.sessionId !== 'string') {
        throw new MediaClientError('PROTOCOL_ERROR', 'connect: the server answered no sessionId.');
      }
      this.#sessionId = result.sessionId;
    }
    if (this.options.pingInterval > 0) {
      await send('ping', { interval: this.options.pingInterval }, { description: 'ping' });
    }
    if (resumed) {
      await this.subscriptions.renew(async (operations) => {
        const result = await send('transaction', { operations, sessionId: this.#sessionId });
        const value = (result as { value?: unknown } | undefined)?.value;
        return Array.isArray(value) ? value : [];
      });
    }
    if (reopened) queueMicrotask(() => this.listener.onReconnected(resumed));
  }

  #onSessionLost(): void {
    // Requests made from now until the new session exists go without an id: the server then
    // uses the session the connection is bound to, the new one.
    this.#sessionId = undefined;
    this.subscriptions.clear();
    this.connection.rejectPending(
      new MediaClientError(
        'SESSION_LOST',
        'The media server no longer knows this session (it restarted, or the client was away longer than its grace period): every object of this client is gone. Create them again.',
      ),
    );
  }

  #ping(): void {
    if (this.connection.state !== 'open' || this.#pingInFlight) return;
    this.#pingInFlight = true;
    this.connection
      .request(
        'ping',
        { interval: this.options.pingInterval },
        { timeout: this.options.pingInterval, resendAfterReconnect: false },
      )
      .catch((error: unknown) => {
        if (error instanceof MediaClientError && error.code === 'REQUEST_TIMEOUT') {
          this.connection.dropSocket('keep-alive ping unanswered');
        }
      })
      .finally(() => {
        this.#pingInFlight = false;
      });
  }

  #onNotification(method: string, params: unknown): void {
    if (method !== 'onEvent') return;
    const event = (params as { value?: { type?: unknown; object?: unknown; data?: unknown } })
      ?.value;
    if (typeof event?.type !== 'string' || typeof event.object !== 'string') return;
    this.subscriptions.dispatch(event.object, event.type, event.data);
  }

  #onStateChange(state: ClientConnectionState, error?: Error): void {
    if (state === 'reconnecting') this.listener.onDisconnected();
    if (state === 'closed') {
      clearInterval(this.#keepAlive);
      this.listener.onClosed(error instanceof MediaClientError ? error : undefined);
    }
  }
}

/** The type encoded in a Kurento object id: `..._kurento.WebRtcEndpoint`, `manager_ServerManager`. */
export function typeFromId(id: string): string | undefined {
  if (id === SERVER_MANAGER_ID) return 'ServerManager';
  return /_kurento\.([A-Za-z0-9]+)$/.exec(id)?.[1];
}

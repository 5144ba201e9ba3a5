import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { isSignalingError, messageOf, SignalingError } from '../errors.js';
import type {
  EventName,
  Protocol,
  RequestPayload,
  RequestType,
  ResponsePayload,
  UntypedProtocol,
} from '../protocol.js';
import { type Listenable, TypedEmitter } from '../TypedEmitter.js';
import { isSessionWelcome, resumeSessionAuthKey, type SessionWelcome, WireEvent } from '../wire.js';
import { type PendingRequest, PendingRequests } from './PendingRequests.js';
import { ExponentialBackoff, type ReconnectPolicy } from './ReconnectPolicy.js';

/**
 * - `connecting`: the first connection is being opened (`connect()`).
 * - `connected`: a session is open; requests are sent at once.
 * - `reconnecting`: the connection was lost; the client retries as its policy says, and
 *   requests made meanwhile wait for the session to come back.
 * - `disconnected`: nothing is under way; requests fail with `DISCONNECTED`.
 */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/**
 * Why the client is `disconnected`:
 * `closed` (the application called close()), `server` (the server ended the session),
 * `rejected` (the server refused the connection, e.g. failed authentication),
 * `connect-failed` (the first connection could not be opened),
 * `gave-up` (the reconnect policy stopped trying).
 */
export type DisconnectReason = 'closed' | 'server' | 'rejected' | 'connect-failed' | 'gave-up';

/** The events of `client.connection`, one per {@link ConnectionState} it enters. */
export interface ConnectionEvents {
  /** The first connection is being opened. */
  connecting: {
    /** The server's URL. */
    url: string;
  };
  /** A session is open. `resumed` is false when the server opened a new one (the previous one
   * expired or the server restarted): rebuild server-side state such as rooms and WebRTC peers. */
  connected: {
    /** The session's id. */
    sessionId: string;
    /** Whether it is the session the client had before the drop. */
    resumed: boolean;
  };
  /** Fires before each reconnect attempt. */
  reconnecting: {
    /** 1 for the first attempt after a drop. */
    attempt: number;
    /** Milliseconds until the attempt, as the reconnect policy chose. */
    delayMs: number;
    /** Why the connection was lost (socket.io's disconnect reason, or the failed attempt's). */
    reason: string;
  };
  /** Nothing is under way any more: requests fail with `DISCONNECTED` until `connect()`. */
  disconnected: {
    /** Why. */
    reason: DisconnectReason;
    /** The error behind it; absent when the application called `close()`. */
    error?: SignalingError;
  };
}

/** Credentials sent in socket.io's handshake `auth`; the server reads them in `onConnect`. */
export type AuthPayload = Record<string, unknown>;

/** The options of {@link SignalingClient}; all are optional. */
export interface SignalingClientOptions {
  /**
   * Credentials sent with every connection attempt (socket.io's handshake `auth`). A function is
   * called again before each attempt, so an expiring token can be refreshed on reconnect.
   */
  auth?: AuthPayload | (() => AuthPayload | Promise<AuthPayload>);
  /** Default timeout of a request, in ms (override per request). Default 10 000. */
  requestTimeout?: number;
  /** How long one connection attempt may take until the session is open, in ms. Default 10 000. */
  connectTimeout?: number;
  /**
   * When to retry after the connection is lost. Default: `new ExponentialBackoff()`. The first
   * connection is tried once: `connect()` rejects, and the application decides.
   */
  reconnectPolicy?: ReconnectPolicy;
  /**
   * Options for socket.io-client (`path`, `transports`, `extraHeaders`, ...). The client manages
   * `autoConnect`, `reconnection` and `auth` itself, and opens its own connection (`forceNew`).
   */
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
}

/** Per-request options of `client.request()`. */
export interface RequestOptions {
  /** Milliseconds to wait for the answer, counted from the call (including time spent waiting
   * for a reconnection). Default: the client's `requestTimeout`. */
  timeout?: number;
}

/**
 * The browser and Node side of Medley signaling: typed requests answered through socket.io
 * acknowledgements, typed server events, and a connection that comes back on its own.
 *
 * Requests and the connection:
 * - made while `connected`: sent at once;
 * - made while `connecting` or `reconnecting`: held, and sent once the session is open (their
 *   timeout keeps running);
 * - in flight when the connection drops: fail with `DISCONNECTED`, because nobody knows whether
 *   the server processed them (they are never sent twice);
 * - made while `disconnected`: fail at once with `DISCONNECTED`.
 */
export class SignalingClient<P extends Protocol = UntypedProtocol>
  implements Listenable<P['events']>
{
  /** Creates a client and resolves once its session is open. */
  static async connect<P extends Protocol = UntypedProtocol>(
    url: string,
    options?: SignalingClientOptions,
  ): Promise<SignalingClient<P>> {
    const client = new SignalingClient<P>(url, options);
    await client.connect();
    return client;
  }

  /** The server's URL, as given. */
  readonly url: string;
  readonly #socket: Socket;
  readonly #auth: SignalingClientOptions['auth'];
  readonly #requestTimeout: number;
  readonly #connectTimeout: number;
  readonly #reconnectPolicy: ReconnectPolicy;
  readonly #connection = new TypedEmitter<ConnectionEvents>();
  readonly #events = new TypedEmitter<P['events']>();
  readonly #pending = new PendingRequests();
  #state: ConnectionState = 'disconnected';
  #sessionId: string | undefined;
  /** Aborted by close(): stops a connection attempt or a reconnect loop under way. */
  #lifecycle = new AbortController();

  /** Creates a client without connecting: call `connect()`. */
  constructor(url: string, options: SignalingClientOptions = {}) {
    this.url = url;
    this.#auth = options.auth;
    this.#requestTimeout = options.requestTimeout ?? 10_000;
    this.#connectTimeout = options.connectTimeout ?? 10_000;
    this.#reconnectPolicy = options.reconnectPolicy ?? new ExponentialBackoff();
    this.#socket = io(url, {
      forceNew: true,
      ...options.socketOptions,
      autoConnect: false,
      // Reconnection is ours: it follows the policy object and resumes the Medley session.
      reconnection: false,
    });
    this.#socket.on(WireEvent.event, (event: unknown, payload: unknown) => {
      if (typeof event === 'string') this.#events.emit(event as EventName<P>, payload as never);
    });
    this.#socket.on('disconnect', (reason) => this.#onConnectionLost(reason));
  }

  /** Where the connection stands; `connection` tells each change. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** The server's id of this client's session; kept across reconnects while the server resumes it. */
  get sessionId(): string | undefined {
    return this.#sessionId;
  }

  /** Connection state events: `connecting`, `connected`, `reconnecting`, `disconnected`. */
  get connection(): Listenable<ConnectionEvents> {
    return this.#connection;
  }

  /** The underlying socket.io socket, for what this API does not cover. */
  get socket(): Socket {
    return this.#socket;
  }

  /**
   * Opens the session. Resolves once the server has opened (or resumed) it; rejects with
   * `CONNECT_FAILED` when the server cannot be reached and `REJECTED` when it refuses.
   * After `disconnected` it may be called again; it then resumes the session if the server
   * still keeps it.
   */
  async connect(): Promise<void> {
    if (this.#state === 'connected') return;
    if (this.#state !== 'disconnected') return this.#untilConnected();
    const lifecycle = new AbortController();
    this.#lifecycle = lifecycle;
    this.#state = 'connecting';
    this.#connection.emit('connecting', { url: this.url });
    try {
      this.#onSessionOpen(await this.#openSession(lifecycle.signal));
    } catch (error) {
      const failure = toSignalingError(error);
      if (!lifecycle.signal.aborted) {
        this.#end(failure.code === 'REJECTED' ? 'rejected' : 'connect-failed', failure);
      }
      throw failure;
    }
  }

  /**
   * Sends a request and resolves with the server's answer. Rejects with a `SignalingError`:
   * `TIMEOUT`, `DISCONNECTED`, `REJECTED` (the handler threw; the message is the server's),
   * `INVALID_PAYLOAD`, `UNKNOWN_REQUEST`.
   */
  request<K extends RequestType<P>>(
    type: K,
    payload: RequestPayload<P, K>,
    options: RequestOptions = {},
  ): Promise<ResponsePayload<P, K>> {
    if (this.#state === 'disconnected') {
      return Promise.reject(
        new SignalingError(
          'DISCONNECTED',
          `cannot send "${type}": the client is disconnected; call connect() first`,
        ),
      );
    }
    const { request, answer } = this.#pending.add(
      type,
      payload,
      options.timeout ?? this.#requestTimeout,
    );
    if (this.#state === 'connected') this.#send(request);
    return answer as Promise<ResponsePayload<P, K>>;
  }

  /** Listens to an event the server pushes. */
  on<K extends keyof P['events']>(event: K, listener: (payload: P['events'][K]) => void): this {
    this.#events.on(event, listener);
    return this;
  }

  once<K extends keyof P['events']>(event: K, listener: (payload: P['events'][K]) => void): this {
    this.#events.once(event, listener);
    return this;
  }

  off<K extends keyof P['events']>(event: K, listener: (payload: P['events'][K]) => void): this {
    this.#events.off(event, listener);
    return this;
  }

  /**
   * Leaves for good: the server ends the session at once (no grace period), pending requests
   * fail with `DISCONNECTED`, and no reconnection follows.
   */
  close(): void {
    if (this.#state === 'disconnected') return;
    this.#lifecycle.abort();
    this.#end('closed');
    this.#sessionId = undefined;
    this.#socket.disconnect();
  }

  #send(request: PendingRequest): void {
    request.sent = true;
    try {
      this.#socket.emit(WireEvent.request, request.type, request.payload, (answer: unknown) =>
        this.#pending.answer(request.id, answer),
      );
    } catch (error) {
      this.#pending.reject(
        request.id,
        new SignalingError(
          'INVALID_PAYLOAD',
          `the payload of "${request.type}" cannot be sent (${messageOf(error)}): use JSON-compatible values`,
          { cause: error },
        ),
      );
    }
  }

  /** One connection attempt, until the server's welcome names the session. */
  async #openSession(signal: AbortSignal): Promise<SessionWelcome> {
    const auth = await this.#resolveAuth();
    if (signal.aborted) throw closedError();
    this.#socket.auth =
      this.#sessionId === undefined ? auth : { ...auth, [resumeSessionAuthKey]: this.#sessionId };
    const socket = this.#socket;
    return new Promise<SessionWelcome>((resolve, reject) => {
      // socket.io replays the events missed while disconnected before it fires 'connect'; an
      // old welcome among them must not be taken for this connection's.
      let connected = false;
      const onConnect = (): void => {
        connected = true;
      };
      const onWelcome = (welcome: unknown): void => {
        if (!connected) return;
        if (!isSessionWelcome(welcome)) {
          fail(
            new SignalingError(
              'INVALID_RESPONSE',
              `${this.url} sent a malformed session welcome: is it a @medley/signaling server of a compatible version?`,
            ),
          );
          return;
        }
        cleanup();
        resolve(welcome);
      };
      const onConnectError = (error: Error): void => {
        // socket.io leaves the socket active after a transport failure, and deactivates it when
        // the server refused the connection (a middleware error carrying the server's message).
        fail(
          socket.active
            ? new SignalingError(
                'CONNECT_FAILED',
                `cannot reach the signaling server at ${this.url}: ${error.message}`,
                { cause: error },
              )
            : new SignalingError('REJECTED', error.message, { cause: error }),
        );
      };
      const onDisconnect = (reason: string): void => {
        fail(
          new SignalingError(
            'CONNECT_FAILED',
            `the connection to ${this.url} dropped (${reason}) before the session opened`,
          ),
        );
      };
      const onAbort = (): void => fail(closedError());
      const timer = setTimeout(() => {
        fail(
          new SignalingError(
            'CONNECT_FAILED',
            `no session from ${this.url} within ${this.#connectTimeout} ms: is the server up and ` +
              'serving @medley/signaling on this URL and path?',
          ),
        );
      }, this.#connectTimeout);
      const cleanup = (): void => {
        clearTimeout(timer);
        socket.off('connect', onConnect);
        socket.off(WireEvent.session, onWelcome);
        socket.off('connect_error', onConnectError);
        socket.off('disconnect', onDisconnect);
        signal.removeEventListener('abort', onAbort);
      };
      const fail = (error: SignalingError): void => {
        cleanup();
        socket.disconnect();
        reject(error);
      };
      socket.on('connect', onConnect);
      socket.on(WireEvent.session, onWelcome);
      socket.on('connect_error', onConnectError);
      socket.on('disconnect', onDisconnect);
      signal.addEventListener('abort', onAbort, { once: true });
      socket.connect();
    });
  }

  #onSessionOpen(welcome: SessionWelcome): void {
    this.#sessionId = welcome.sessionId;
    this.#state = 'connected';
    // Held requests go first, so that requests made by 'connected' listeners follow them.
    for (const request of this.#pending.unsent()) this.#send(request);
    this.#connection.emit('connected', { sessionId: welcome.sessionId, resumed: welcome.resumed });
  }

  #onConnectionLost(reason: Socket.DisconnectReason): void {
    if (this.#state !== 'connected') return;
    // socket.io keeps emits made on a stale transport to send them after a reconnection; they are
    // failed below, and must not reach the server later.
    this.#socket.sendBuffer = [];
    this.#pending.failSent(
      (type) =>
        new SignalingError(
          'DISCONNECTED',
          `the connection was lost (${reason}) before "${type}" was answered; the server may or ` +
            'may not have processed it',
        ),
    );
    if (reason === 'io server disconnect') {
      this.#sessionId = undefined;
      this.#end('server', new SignalingError('DISCONNECTED', 'the server ended this session'));
      return;
    }
    void this.#reconnect(reason);
  }

  async #reconnect(reason: string): Promise<void> {
    const { signal } = this.#lifecycle;
    this.#state = 'reconnecting';
    const lostAt = Date.now();
    let lastFailure = reason;
    for (let retryCount = 0; ; retryCount++) {
      const delayMs = this.#reconnectPolicy.nextDelayMs({
        retryCount,
        elapsedMs: Date.now() - lostAt,
        reason: lastFailure,
      });
      if (delayMs === null) {
        const message = `gave up reconnecting to ${this.url} after ${retryCount} attempts (last: ${lastFailure}); call connect() to try again`;
        this.#end('gave-up', new SignalingError('DISCONNECTED', message));
        return;
      }
      this.#connection.emit('reconnecting', {
        attempt: retryCount + 1,
        delayMs,
        reason: lastFailure,
      });
      await sleep(delayMs, signal);
      if (signal.aborted) return;
      try {
        this.#onSessionOpen(await this.#openSession(signal));
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (isSignalingError(error, 'REJECTED')) {
          this.#end('rejected', error);
          return;
        }
        lastFailure = messageOf(error);
      }
    }
  }

  #end(reason: DisconnectReason, error?: SignalingError): void {
    this.#state = 'disconnected';
    this.#pending.failAll(
      (type) =>
        new SignalingError(
          'DISCONNECTED',
          `"${type}" was not answered: the client disconnected (${reason})`,
        ),
    );
    this.#connection.emit('disconnected', error ? { reason, error } : { reason });
  }

  #untilConnected(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onConnected = (): void => {
        this.#connection.off('disconnected', onDisconnected);
        resolve();
      };
      const onDisconnected = ({ reason, error }: ConnectionEvents['disconnected']): void => {
        this.#connection.off('connected', onConnected);
        reject(error ?? new SignalingError('DISCONNECTED', `the client disconnected (${reason})`));
      };
      this.#connection.once('connected', onConnected).once('disconnected', onDisconnected);
    });
  }

  async #resolveAuth(): Promise<AuthPayload> {
    try {
      return typeof this.#auth === 'function' ? await this.#auth() : (this.#auth ?? {});
    } catch (error) {
      throw new SignalingError('CONNECT_FAILED', `the auth callback failed: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }
}

/** Creates a client and resolves once its session is open: `SignalingClient.connect()`. */
export function connect<P extends Protocol = UntypedProtocol>(
  url: string,
  options?: SignalingClientOptions,
): Promise<SignalingClient<P>> {
  return SignalingClient.connect<P>(url, options);
}

function closedError(): SignalingError {
  return new SignalingError('DISCONNECTED', 'the client was closed');
}

function toSignalingError(error: unknown): SignalingError {
  return error instanceof SignalingError
    ? error
    : new SignalingError('CONNECT_FAILED', messageOf(error), { cause: error });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

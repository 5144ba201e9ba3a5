import { MediaClientError, MediaServerError } from '../errors.js';
import type { JsonRpcParams, JsonRpcRequest, JsonRpcResponse } from './messages.js';
import { parseIncoming } from './messages.js';
import type { ReconnectPolicy } from './ReconnectPolicy.js';
import type { WebSocketConstructor, WebSocketLike } from './WebSocketLike.js';
import { WEBSOCKET_OPEN } from './WebSocketLike.js';

/**
 * Where the client's connection to the media server stands (`client.state`): `connecting` (the
 * first time), `open`, `reconnecting` after a drop (requests wait), `closed` for good (requests
 * fail with `CLIENT_CLOSED` or `CONNECTION_CLOSED`). Not to be confused with Kurento's
 * {@link ConnectionState}, the state of an RTP endpoint's connection to its remote peer.
 */
export type ClientConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface RequestOptions {
  /** Milliseconds to wait for the answer; defaults to the connection's request timeout. */
  timeout?: number;
  /**
   * Send the request again, with the same id, when the connection drops before its answer
   * arrives. Kurento servers answer a repeated (session, id) from their cache, so this is safe
   * for every request but those, like pings, that only mean something on the socket they left on.
   */
  resendAfterReconnect?: boolean;
  /** For error messages: `invoke WebRtcEndpoint.processOffer`. Defaults to the method. */
  description?: string;
}

/** A request sent during the handshake, before queued requests are let through. */
export type HandshakeSender = (
  method: string,
  params: JsonRpcParams | undefined,
  options?: RequestOptions,
) => Promise<unknown>;

export interface JsonRpcConnectionOptions {
  url: string;
  WebSocket: WebSocketConstructor;
  requestTimeout: number;
  reconnectPolicy: ReconnectPolicy;
  /**
   * Runs on every newly opened socket before queued requests are sent: session creation on the
   * first socket, session resume on later ones. A rejection closes the socket.
   */
  handshake(send: HandshakeSender, reopened: boolean): Promise<void>;
  onNotification(method: string, params: unknown): void;
  onStateChange(state: ClientConnectionState, error?: Error): void;
}

interface PendingRequest {
  readonly id: number;
  readonly frame: string;
  readonly description: string;
  readonly resendAfterReconnect: boolean;
  readonly handshake: boolean;
  sent: boolean;
  timer: ReturnType<typeof setTimeout>;
  resolve(result: unknown): void;
  reject(error: Error): void;
}

/**
 * JSON-RPC 2.0 over one WebSocket at a time: numbered requests with timeouts, notifications,
 * and reopening the socket after it drops. Requests made while the socket is down wait (up to
 * their timeout) and are sent, in order, once the handshake on the new socket has succeeded.
 */
export class JsonRpcConnection {
  #state: ClientConnectionState = 'connecting';
  #socket: WebSocketLike | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, PendingRequest>();
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: JsonRpcConnectionOptions) {}

  get state(): ClientConnectionState {
    return this.#state;
  }

  /** Opens the first socket and runs the handshake on it. Does not retry: a wrong URL fails fast. */
  async open(): Promise<void> {
    try {
      const socket = await this.#openSocket();
      await this.#adopt(socket, false);
    } catch (error) {
      this.#close(
        error instanceof MediaClientError
          ? error
          : new MediaClientError(
              'CONNECTION_FAILED',
              `Handshake with ${this.options.url} failed.`,
              {
                cause: error,
              },
            ),
      );
      throw error;
    }
  }

  request(method: string, params?: JsonRpcParams, options: RequestOptions = {}): Promise<unknown> {
    return this.#enqueue(method, params, options, false);
  }

  /**
   * Drops the current socket as if the network had, and reconnects. Used when keep-alive pings go
   * unanswered: a half-open TCP connection would otherwise never close by itself.
   */
  dropSocket(reason: string): void {
    const socket = this.#socket;
    if (!socket || this.#state === 'closed') return;
    this.#socket = undefined;
    socket.close(4000, reason);
    this.#onSocketLost();
  }

  /** Closes the socket for good; pending and later requests fail with `CLIENT_CLOSED`. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#close(new MediaClientError('CLIENT_CLOSED', 'The media client was closed.'));
  }

  /** Fails every pending request (not the handshake's) with `error`, e.g. when a session is lost. */
  rejectPending(error: Error): void {
    for (const request of [...this.#pending.values()]) {
      if (!request.handshake) this.#settle(request.id)?.reject(error);
    }
  }

  #enqueue(
    method: string,
    params: JsonRpcParams | undefined,
    options: RequestOptions,
    handshake: boolean,
  ): Promise<unknown> {
    if (this.#state === 'closed') {
      return Promise.reject(
        new MediaClientError('CLIENT_CLOSED', `Cannot send ${method}: the media client is closed.`),
      );
    }
    const id = this.#nextId++;
    const message: JsonRpcRequest = { jsonrpc: '2.0', id, method };
    if (params !== undefined) message.params = params;
    const timeout = options.timeout ?? this.options.requestTimeout;
    const description = options.description ?? method;
    return new Promise((resolve, reject) => {
      const request: PendingRequest = {
        id,
        frame: JSON.stringify(message),
        description,
        resendAfterReconnect: options.resendAfterReconnect ?? true,
        handshake,
        sent: false,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#settle(id)?.reject(
            new MediaClientError(
              'REQUEST_TIMEOUT',
              `${description}: no answer from the media server within ${timeout} ms${
                this.#state === 'reconnecting' ? ' (the connection is down, reconnecting)' : ''
              }. Check that the server is alive, or raise the requestTimeout option.`,
            ),
          );
        }, timeout),
      };
      this.#pending.set(id, request);
      if (this.#state === 'open' || handshake) this.#send(request);
    });
  }

  #send(request: PendingRequest): void {
    const socket = this.#socket;
    if (!socket || socket.readyState !== WEBSOCKET_OPEN) return;
    socket.send(request.frame);
    request.sent = true;
  }

  #settle(id: number): PendingRequest | undefined {
    const request = this.#pending.get(id);
    if (!request) return undefined;
    this.#pending.delete(id);
    clearTimeout(request.timer);
    return request;
  }

  #openSocket(): Promise<WebSocketLike> {
    const { url, WebSocket } = this.options;
    return new Promise((resolve, reject) => {
      let socket: WebSocketLike;
      try {
        socket = new WebSocket(url);
      } catch (error) {
        reject(
          new MediaClientError('CONNECTION_FAILED', `Invalid media server URL ${url}.`, {
            cause: error,
          }),
        );
        return;
      }
      let settled = false;
      socket.addEventListener('open', () => {
        settled = true;
        resolve(socket);
      });
      socket.addEventListener('close', () => {
        if (settled) {
          if (socket === this.#socket) {
            this.#socket = undefined;
            this.#onSocketLost();
          }
          return;
        }
        settled = true;
        reject(
          new MediaClientError(
            'CONNECTION_FAILED',
            `Cannot open a WebSocket to ${url}: is the media server running, and is the URL right (KMS default ws://127.0.0.1:8888/kurento)?`,
          ),
        );
      });
      socket.addEventListener('message', (event: { data: unknown }) => {
        if (socket === this.#socket) this.#onFrame(event.data);
      });
      // An 'error' is always followed by 'close', which does the handling.
      socket.addEventListener('error', () => {});
    });
  }

  /** Makes `socket` the current one, runs the handshake on it, then lets queued requests out. */
  async #adopt(socket: WebSocketLike, reopened: boolean): Promise<void> {
    this.#socket = socket;
    const send: HandshakeSender = (method, params, options = {}) =>
      this.#enqueue(method, params, { ...options, resendAfterReconnect: false }, true);
    try {
      await this.options.handshake(send, reopened);
    } catch (error) {
      if (this.#socket === socket) {
        this.#socket = undefined;
        socket.close(4001, 'handshake failed');
      }
      throw error;
    }
    if (this.#socket !== socket) {
      throw new MediaClientError(
        'CONNECTION_FAILED',
        'The connection dropped during the handshake.',
      );
    }
    this.#setState('open');
    const queued = [...this.#pending.values()].filter((request) => !request.sent);
    for (const request of queued.sort((a, b) => a.id - b.id)) this.#send(request);
  }

  #onFrame(data: unknown): void {
    const incoming = parseIncoming(data);
    if (incoming.kind === 'notification') {
      this.options.onNotification(incoming.message.method, incoming.message.params);
    } else if (incoming.kind === 'response') {
      this.#onResponse(incoming.message);
    }
    // Invalid frames are dropped: a request waiting for them times out with a clear message.
  }

  #onResponse(response: JsonRpcResponse): void {
    if (typeof response.id !== 'number') return;
    const request = this.#settle(response.id);
    if (!request) return; // answered after its timeout
    if (response.error) request.reject(new MediaServerError(response.error, request.description));
    else request.resolve(response.result);
  }

  #onSocketLost(): void {
    if (this.#state === 'closed') return;
    for (const request of [...this.#pending.values()]) {
      if (!request.sent) continue;
      if (request.resendAfterReconnect) {
        request.sent = false;
      } else {
        this.#settle(request.id)?.reject(
          new MediaClientError(
            'CONNECTION_CLOSED',
            `${request.description}: the connection dropped before the answer arrived.`,
          ),
        );
      }
    }
    // While connecting, open() reports the failure; while reconnecting, the retry loop goes on.
    if (this.#state !== 'open') return;
    this.#setState('reconnecting');
    this.#scheduleReconnect(0, Date.now());
  }

  #scheduleReconnect(attempt: number, droppedAt: number): void {
    const delay = this.options.reconnectPolicy.nextRetryDelay({
      attempt,
      elapsedMs: Date.now() - droppedAt,
    });
    if (delay === null) {
      this.#close(
        new MediaClientError(
          'CONNECTION_CLOSED',
          `Lost the connection to ${this.options.url} and could not reconnect: check the media server, then connect again.`,
        ),
      );
      return;
    }
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      void this.#reconnect(attempt, droppedAt);
    }, delay);
  }

  async #reconnect(attempt: number, droppedAt: number): Promise<void> {
    try {
      const socket = await this.#openSocket();
      if (this.#state === 'closed') {
        socket.close(1000, 'client closed');
        return;
      }
      await this.#adopt(socket, true);
    } catch {
      if (this.#state === 'reconnecting') this.#scheduleReconnect(attempt + 1, droppedAt);
    }
  }

  #close(error: MediaClientError): void {
    if (this.#state === 'closed') return;
    clearTimeout(this.#reconnectTimer);
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close(1000, 'client closed');
    this.#setState('closed', error);
    for (const request of [...this.#pending.values()]) this.#settle(request.id)?.reject(error);
  }

  #setState(state: ClientConnectionState, error?: Error): void {
    if (this.#state === state) return;
    this.#state = state;
    this.options.onStateChange(state, error);
  }
}

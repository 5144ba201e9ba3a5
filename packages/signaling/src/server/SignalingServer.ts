import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import { type Namespace, Server, type ServerOptions, type Socket } from 'socket.io';

type Handshake = Socket['handshake'];

import { messageOf, type ServerErrorCode, SignalingError } from '../errors.js';
import type {
  EventName,
  EventPayload,
  Protocol,
  RequestPayload,
  RequestType,
  ResponsePayload,
  UntypedProtocol,
} from '../protocol.js';
import { type RequestAnswer, resumeSessionAuthKey, WireEvent } from '../wire.js';
import { Rooms } from './Rooms.js';
import type { ServerSession, Session, SessionEndReason } from './Session.js';
import { SessionRegistry } from './SessionRegistry.js';
import { formatIssues, type StandardSchemaResult, type StandardSchemaV1 } from './schema.js';

/** One schema per request type: payloads are validated before any handler sees them. */
export type RequestSchemas<P extends Protocol> = {
  [K in RequestType<P>]: StandardSchemaV1<unknown, RequestPayload<P, K>>;
};

/** A value, or a promise of it. */
export type Awaitable<T> = T | Promise<T>;

/** Answers one request type. A handler of a request whose response may be undefined can simply
 * return nothing. */
export type RequestHandler<P extends Protocol, K extends RequestType<P>, Data> = (
  payload: RequestPayload<P, K>,
  session: Session<P, Data>,
) => undefined extends ResponsePayload<P, K>
  ? // biome-ignore lint/suspicious/noConfusingVoidType: lets such a handler be `() => {}`
    Awaitable<ResponsePayload<P, K> | void>
  : Awaitable<ResponsePayload<P, K>>;

/** Where the server listens: an existing socket.io Server, or an HTTP server to create one on. */
export type SignalingServerTarget =
  | {
      /**
       * A socket.io Server the application created. For session resume with missed events, create
       * it with `connectionStateRecovery: { skipMiddlewares: false, maxDisconnectionDuration }`.
       */
      io: Server;
    }
  | {
      /** An HTTP(S) server to attach a new socket.io Server to (closed by `close()`). */
      httpServer: HttpServer | HttpsServer;
      /** Options for the socket.io Server created on `httpServer` (cors, path, pingInterval...). */
      socketOptions?: Partial<ServerOptions>;
    };

/** Callbacks at the moments of a session's life; all optional. */
export interface SignalingServerHooks<P extends Protocol, Data> {
  /**
   * Runs before a connection is accepted, for a new session and for a resumed one. Throwing
   * refuses the connection: the client's connect() rejects with `REJECTED` and the thrown
   * message (use it for authentication: `session.socket` is not set yet, the handshake is
   * passed). Events emitted here are delivered once the connection is open.
   */
  onConnect?(session: Session<P, Data>, info: { resumed: boolean; handshake: Handshake }): unknown;
  /** The client's socket closed; the session waits for it for the grace period. */
  onDisconnect?(session: Session<P, Data>, info: { reason: string }): unknown;
  /** The session is gone for good: release what belongs to it (media pipelines...). */
  onSessionEnd?(
    session: Session<P, Data>,
    info: { reason: SessionEndReason },
  ): void | Promise<void>;
  /** A hook failed or an answer could not be sent. Default: console.error. */
  onError?(error: unknown, context: string): void;
}

/** The options of {@link SignalingServer}: where it listens, its hooks, schemas and timings. */
export type SignalingServerOptions<P extends Protocol, Data> = SignalingServerTarget &
  SignalingServerHooks<P, Data> & {
    /** A schema for every request type: payloads are checked before handlers see them. */
    schemas: RequestSchemas<P>;
    /**
     * How long a session waits for its client after the connection dropped, in ms. Default
     * 30 000. It is also the socket.io recovery window when the server creates the socket.io
     * Server.
     */
    sessionGracePeriod?: number;
    /** The socket.io namespace. Default '/'. */
    namespace?: string;
  };

interface Opening<P extends Protocol, Data> {
  session: ServerSession<P, Data>;
  resumed: boolean;
}

/**
 * The app-server side of Medley signaling, on socket.io: sessions that survive reconnections,
 * rooms, validated requests answered through acknowledgements, and events pushed to clients.
 *
 * ```ts
 * const signaling = new SignalingServer<ChatProtocol>({ httpServer, schemas });
 * signaling.handle('join', async ({ room }, session) => {
 *   session.join(room);
 *   return { members: signaling.roomMembers(room).map((member) => member.id) };
 * });
 * ```
 */
export class SignalingServer<P extends Protocol = UntypedProtocol, Data = Record<string, unknown>> {
  /** The socket.io Server, the application's or the one created on `httpServer`. */
  readonly io: Server;
  readonly #ownsIo: boolean;
  readonly #namespace: Namespace;
  readonly #schemas: RequestSchemas<P>;
  readonly #hooks: SignalingServerHooks<P, Data>;
  readonly #handlers = new Map<string, RequestHandler<P, RequestType<P>, Data>>();
  readonly #rooms = new Rooms<ServerSession<P, Data>>();
  readonly #registry: SessionRegistry<P, Data>;
  /** Sessions matched to sockets that passed the middleware and are not connected yet. */
  readonly #openings = new WeakMap<Socket, Opening<P, Data>>();

  constructor(options: SignalingServerOptions<P, Data>) {
    const gracePeriod = options.sessionGracePeriod ?? 30_000;
    if (!(gracePeriod > 0)) {
      throw new SignalingError(
        'INVALID_OPTIONS',
        'sessionGracePeriod must be a positive number of ms',
      );
    }
    this.#schemas = options.schemas;
    this.#hooks = options;
    this.#registry = new SessionRegistry(gracePeriod, this.#rooms, (session, reason) =>
      this.#runHook('onSessionEnd', () => this.#hooks.onSessionEnd?.(session, { reason })),
    );
    if ('io' in options) {
      assertMiddlewaresRunOnRecovery(options.io);
      this.io = options.io;
      this.#ownsIo = false;
    } else {
      const { socketOptions } = options;
      this.io = new Server(options.httpServer, {
        ...socketOptions,
        connectionStateRecovery: {
          maxDisconnectionDuration: gracePeriod,
          ...socketOptions?.connectionStateRecovery,
          skipMiddlewares: false,
        },
      });
      this.#ownsIo = true;
    }
    this.#namespace = this.io.of(options.namespace ?? '/');
    this.#namespace.use((socket, next) => {
      this.#admit(socket).then(
        () => next(),
        (error: unknown) => next(new Error(messageOf(error))),
      );
    });
    this.#namespace.on('connection', (socket) => this.#onConnection(socket));
  }

  /**
   * Answers requests of one type. The payload has passed the type's schema; what the handler
   * returns is the answer; what it throws reaches the client as `REJECTED` with its message.
   *
   * Throws `INVALID_OPTIONS` when `type` has no schema in the `schemas` option, or a handler already.
   */
  handle<K extends RequestType<P>>(type: K, handler: RequestHandler<P, K, Data>): this {
    if (!Object.hasOwn(this.#schemas, type)) {
      throw new SignalingError(
        'INVALID_OPTIONS',
        `request "${type}" has no schema: add one to the schemas option (every request type needs one)`,
      );
    }
    if (this.#handlers.has(type)) {
      throw new SignalingError('INVALID_OPTIONS', `request "${type}" already has a handler`);
    }
    this.#handlers.set(type, handler as unknown as RequestHandler<P, RequestType<P>, Data>);
    return this;
  }

  /** The live sessions by id, including those whose client is away. */
  get sessions(): ReadonlyMap<string, Session<P, Data>> {
    return this.#registry.sessions;
  }

  /** The sessions in `room`, away ones included; empty for an unknown room. */
  roomMembers(room: string): Session<P, Data>[] {
    return this.#rooms.members(room);
  }

  /** Pushes an event to every session in `room` (but `except`). */
  broadcast<K extends EventName<P>>(
    room: string,
    event: K,
    payload: EventPayload<P, K>,
    options: { except?: Session<P, Data> } = {},
  ): void {
    for (const session of this.#rooms.members(room)) {
      if (session !== options.except) session.emit(event, payload);
    }
  }

  /**
   * Ends every session (reason `shutdown`) and disconnects their clients. A socket.io Server the
   * signaling server created is closed too, and with it the HTTP server it is attached to.
   */
  async close(): Promise<void> {
    for (const session of [...this.#registry.sessions.values()]) {
      this.#registry.end(session, 'shutdown');
    }
    if (this.#ownsIo) await this.io.close();
  }

  async #admit(socket: Socket): Promise<void> {
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    const requested = auth?.[resumeSessionAuthKey];
    const opening = this.#registry.resolve(requested);
    const { session, resumed } = opening;
    try {
      await this.#hooks.onConnect?.(session, { resumed, handshake: socket.handshake });
    } catch (error) {
      if (resumed) this.#registry.release(session);
      else this.#registry.discard(session);
      throw error;
    }
    this.#openings.set(socket, opening);
    // socket.io drops a socket silently when its client leaves between the middleware and the
    // connection; the session's clock must start all the same.
    socket.conn.once('close', () => this.#registry.release(session));
  }

  #onConnection(socket: Socket): void {
    const opening = this.#openings.get(socket);
    if (!opening || opening.session.ended) {
      socket.disconnect(true);
      return;
    }
    const { session, resumed } = opening;
    socket.on(WireEvent.request, (type: unknown, payload: unknown, ack: unknown) => {
      void this.#dispatch(session, type, payload, ack);
    });
    socket.on('disconnect', (reason) => this.#onDisconnect(session, socket, reason));
    session.attach(socket, { sessionId: session.id, resumed });
  }

  #onDisconnect(session: ServerSession<P, Data>, socket: Socket, reason: string): void {
    if (!session.detach(socket)) return;
    if (reason === 'client namespace disconnect') {
      // The client called close(): it is not coming back.
      this.#registry.end(session, 'left');
      return;
    }
    this.#registry.release(session);
    this.#runHook('onDisconnect', () => this.#hooks.onDisconnect?.(session, { reason }));
  }

  async #dispatch(
    session: ServerSession<P, Data>,
    type: unknown,
    payload: unknown,
    ack: unknown,
  ): Promise<void> {
    const answer = await this.#answer(session, type, payload);
    if (typeof ack !== 'function') return;
    try {
      ack(answer);
    } catch (error) {
      // The handler's result could not be serialised (e.g. a circular structure).
      this.#reportError(error, `answering "${String(type)}"`);
      ack(
        failure(
          'REJECTED',
          `the answer to "${String(type)}" could not be sent: ${messageOf(error)}`,
        ),
      );
    }
  }

  async #answer(
    session: ServerSession<P, Data>,
    type: unknown,
    payload: unknown,
  ): Promise<RequestAnswer> {
    if (typeof type !== 'string') {
      return failure('UNKNOWN_REQUEST', 'a request needs a string type');
    }
    const handler = this.#handlers.get(type);
    if (!handler)
      return failure('UNKNOWN_REQUEST', `the server does not handle "${type}" requests`);
    const schema = this.#schemas[type as RequestType<P>];
    let validated: StandardSchemaResult<RequestPayload<P, RequestType<P>>>;
    try {
      validated = await schema['~standard'].validate(payload);
    } catch (error) {
      this.#reportError(error, `validating "${type}"`);
      return failure('INVALID_PAYLOAD', `the payload of "${type}" could not be validated`);
    }
    if (validated.issues) {
      return failure(
        'INVALID_PAYLOAD',
        `invalid payload for "${type}": ${formatIssues(validated.issues)}`,
      );
    }
    try {
      return { ok: true, result: await handler(validated.value, session) };
    } catch (error) {
      return failure('REJECTED', messageOf(error));
    }
  }

  /** Runs a hook whose result nobody waits for; its failure, sync or async, is reported. */
  #runHook(name: string, run: () => unknown): void {
    try {
      Promise.resolve(run()).catch((error: unknown) => this.#reportError(error, name));
    } catch (error) {
      this.#reportError(error, name);
    }
  }

  #reportError(error: unknown, context: string): void {
    if (this.#hooks.onError) this.#hooks.onError(error, context);
    else console.error(`@medley/signaling server: ${context} failed:`, error);
  }
}

function failure(code: ServerErrorCode, message: string): RequestAnswer {
  return { ok: false, error: { code, message } };
}

function assertMiddlewaresRunOnRecovery(io: Server): void {
  const recovery = io._opts.connectionStateRecovery;
  if (recovery && recovery.skipMiddlewares !== false) {
    throw new SignalingError(
      'INVALID_OPTIONS',
      'the socket.io Server skips middlewares for recovered connections, so they would bypass ' +
        'session resume and onConnect: create it with connectionStateRecovery.skipMiddlewares: false',
    );
  }
}

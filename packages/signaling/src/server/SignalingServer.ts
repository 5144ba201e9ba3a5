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
import { clusterOptionsOf } from './clusterOverRedis.js';
import { promptTransportUpgrades } from './promptTransportUpgrades.js';
import { type ClusterMessage, RedisCluster } from './RedisCluster.js';
import type { SignalingRedisOptions } from './RedisOptions.js';
import { createRedisStreamsAdapter, type RedisAdapterHandle } from './RedisStreamsAdapter.js';
import { Rooms } from './Rooms.js';
import type { ServerSession, Session, SessionEndReason } from './Session.js';
import { type SessionOpening, SessionRegistry } from './SessionRegistry.js';
import { MemoryStore, RedisStore, type SharedStore } from './SharedStore.js';
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
  onConnect?(
    session: Session<P, Data>,
    info: {
      /** The client got back the session it asked for. */
      resumed: boolean;
      /** With `redis`: the session was taken over from another app server (see onSessionMoved). */
      moved: boolean;
      /** socket.io's handshake of the connection (headers, auth, address). */
      handshake: Handshake;
    },
  ): unknown;
  /**
   * With `redis`: the client reconnected to this app server and resumed a session another app
   * server held. Runs before `onConnect`. The session has its id, its rooms and its `data` as
   * JSON (what `JSON.stringify` kept when the other server last wrote it — after each request it
   * handled, when the client left, and every third of the grace period: plain values only, no
   * class instances, functions or live objects such as media endpoints, but their ids). Rebuild here what this
   * process needs for it, or reset `session.data` and let the client start over. The other app
   * server ends its copy with reason `moved`. Throwing refuses the connection, like onConnect.
   */
  onSessionMoved?(session: Session<P, Data>, info: { from: string }): unknown;
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
    /**
     * Shares sessions and rooms with the other app servers that use the same Redis: broadcasts
     * and {@link SignalingServer.emitTo} reach clients connected to any of them, and a client
     * that reconnects to another app server resumes its session there (see `onSessionMoved`).
     * One connection per session across the cluster: the newest takes over, and the app server
     * that held the session ends its copy (reason `moved`) and disconnects the older socket.
     *
     * When the signaling server creates the socket.io Server, it also installs socket.io's Redis
     * streams adapter; with `io`, call {@link clusterOverRedis} on that Server instead (it sets
     * the adapter, and this option for every signaling server on it).
     * While Redis is down, each app server serves its own clients and logs it; it catches up
     * when Redis is back. Unset: everything stays in this process's memory.
     */
    redis?: SignalingRedisOptions;
  };

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
  /**
   * JSON values shared by the app servers of this namespace (in Redis with `redis`, else in
   * memory): what one app server must find of another's (a broadcast's pipeline id...).
   */
  readonly store: SharedStore;
  readonly #ownsIo: boolean;
  readonly #namespace: Namespace;
  readonly #schemas: RequestSchemas<P>;
  readonly #hooks: SignalingServerHooks<P, Data>;
  readonly #handlers = new Map<string, RequestHandler<P, RequestType<P>, Data>>();
  readonly #rooms = new Rooms<ServerSession<P, Data>>();
  readonly #registry: SessionRegistry<P, Data>;
  /** Sessions matched to sockets that passed the middleware and are not connected yet. */
  readonly #openings = new WeakMap<Socket, SessionOpening<P, Data>>();
  readonly #cluster: RedisCluster | undefined;
  readonly #adapter: RedisAdapterHandle | undefined;

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
    const namespace = options.namespace ?? '/';
    const redis = options.redis ?? ('io' in options ? clusterOptionsOf(options.io) : undefined);
    this.#cluster =
      redis &&
      new RedisCluster(redis, namespace, gracePeriod, (message) => this.#onClusterMessage(message));
    this.store = this.#cluster ? new RedisStore(this.#cluster) : new MemoryStore();
    this.#registry = new SessionRegistry(
      gracePeriod,
      this.#rooms,
      (session, reason) =>
        this.#runHook('onSessionEnd', () => this.#hooks.onSessionEnd?.(session, { reason })),
      this.#cluster && {
        redis: this.#cluster,
        reportError: (error, context) => this.#reportError(error, context),
      },
    );
    if ('io' in options) {
      assertMiddlewaresRunOnRecovery(options.io);
      this.io = options.io;
      this.#ownsIo = false;
      this.#adapter = undefined;
    } else {
      const { socketOptions } = options;
      this.#adapter =
        options.redis && !socketOptions?.adapter
          ? createRedisStreamsAdapter({ url: options.redis.url, log: options.redis.log })
          : undefined;
      this.io = new Server(options.httpServer, {
        ...(this.#adapter && { adapter: this.#adapter.adapter }),
        ...socketOptions,
        connectionStateRecovery: {
          maxDisconnectionDuration: gracePeriod,
          ...socketOptions?.connectionStateRecovery,
          skipMiddlewares: false,
        },
      });
      this.#ownsIo = true;
    }
    promptTransportUpgrades(this.io);
    this.#namespace = this.io.of(namespace);
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

  /**
   * Pushes an event to every session in `room` (but `except`). With `redis`, sessions in the
   * room on the other app servers get it too.
   */
  broadcast<K extends EventName<P>>(
    room: string,
    event: K,
    payload: EventPayload<P, K>,
    options: { except?: Session<P, Data> } = {},
  ): void {
    this.#deliverToRoom(room, event, payload, options.except?.id);
    this.#cluster?.publish({ kind: 'room', room, event, payload, except: options.except?.id });
  }

  /**
   * Pushes an event to the session `sessionId`, wherever it is: here (like `session.emit`), or
   * with `redis` on the app server that holds it. A session that does not exist (any more) gets
   * nothing.
   */
  emitTo<K extends EventName<P>>(sessionId: string, event: K, payload: EventPayload<P, K>): void {
    const local = this.#registry.sessions.get(sessionId);
    if (local) local.emit(event, payload);
    else this.#cluster?.publish({ kind: 'direct', to: sessionId, event, payload });
  }

  /**
   * With `redis`: resolves once this server's Redis connections are up (it serves its own
   * clients before). Without: resolves at once.
   */
  async ready(): Promise<void> {
    await this.#cluster?.ready();
  }

  /**
   * Ends every session (reason `shutdown`) and disconnects their clients. A socket.io Server the
   * signaling server created is closed too, and with it the HTTP server it is attached to.
   */
  async close(): Promise<void> {
    this.#registry.close();
    for (const session of [...this.#registry.sessions.values()]) {
      this.#registry.end(session, 'shutdown');
    }
    if (this.#ownsIo) await this.io.close();
    await this.#adapter?.close();
    await this.#cluster?.close();
  }

  #deliverToRoom(room: string, event: string, payload: unknown, exceptId?: string): void {
    for (const session of this.#rooms.members(room)) {
      if (session.id !== exceptId) session.emit(event as EventName<P>, payload as never);
    }
  }

  #onClusterMessage(message: ClusterMessage): void {
    switch (message.kind) {
      case 'room':
        this.#deliverToRoom(message.room, message.event, message.payload, message.except);
        return;
      case 'direct':
        this.#registry.sessions
          .get(message.to)
          ?.emit(message.event as EventName<P>, message.payload as never);
        return;
      case 'moved':
        this.#registry.movedAway(message.id);
        return;
    }
  }

  async #admit(socket: Socket): Promise<void> {
    const auth = socket.handshake.auth as Record<string, unknown> | undefined;
    const requested = auth?.[resumeSessionAuthKey];
    const opening = await this.#registry.resolve(requested);
    const { session, resumed, movedFrom } = opening;
    try {
      if (movedFrom !== undefined) await this.#hooks.onSessionMoved?.(session, { from: movedFrom });
      await this.#hooks.onConnect?.(session, {
        resumed,
        moved: movedFrom !== undefined,
        handshake: socket.handshake,
      });
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
    this.#registry.attached(session);
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
    this.#registry.handled(session);
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

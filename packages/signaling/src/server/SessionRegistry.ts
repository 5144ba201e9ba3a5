import { randomUUID } from 'node:crypto';
import type { Protocol } from '../protocol.js';
import type { RedisCluster, SharedSessionState } from './RedisCluster.js';
import type { Rooms } from './Rooms.js';
import { ServerSession, type SessionEndReason } from './Session.js';

/** The session a connecting client gets, and how it got it. */
export interface SessionOpening<P extends Protocol, Data> {
  session: ServerSession<P, Data>;
  /** True for the session the client asked for (held here, or taken over from another server). */
  resumed: boolean;
  /** Set when the session was taken over from another app server: that server's id. */
  movedFrom?: string;
}

/**
 * The live sessions, and the clock of those whose client is away: a session without a socket
 * ends when its grace period passes. With a Redis cluster, the sessions are also registered in
 * Redis (their id, JSON data and rooms), so that another app server can take one over when its
 * client reconnects there.
 */
export class SessionRegistry<P extends Protocol, Data> {
  readonly #sessions = new Map<string, ServerSession<P, Data>>();
  readonly #expiryTimers = new Map<ServerSession<P, Data>, ReturnType<typeof setTimeout>>();
  readonly #gracePeriodMs: number;
  readonly #rooms: Rooms<ServerSession<P, Data>>;
  readonly #onEnd: (session: ServerSession<P, Data>, reason: SessionEndReason) => void;
  readonly #cluster: RedisCluster | undefined;
  readonly #reportError: (error: unknown, context: string) => void;
  readonly #refreshTimer: ReturnType<typeof setInterval> | undefined;
  /** What was last written to Redis for each session, so that unchanged state is not rewritten. */
  readonly #lastShared = new WeakMap<ServerSession<P, Data>, string>();

  constructor(
    gracePeriodMs: number,
    rooms: Rooms<ServerSession<P, Data>>,
    onEnd: (session: ServerSession<P, Data>, reason: SessionEndReason) => void,
    cluster?: { redis: RedisCluster; reportError: (error: unknown, context: string) => void },
  ) {
    this.#gracePeriodMs = gracePeriodMs;
    this.#rooms = rooms;
    this.#onEnd = onEnd;
    this.#cluster = cluster?.redis;
    this.#reportError = cluster?.reportError ?? (() => undefined);
    if (this.#cluster) {
      // A connected session's entry is rewritten well within its expiry, so it outlives an app
      // server only by the grace period when that server dies.
      this.#refreshTimer = setInterval(() => this.#refreshConnected(), gracePeriodMs / 3);
      this.#refreshTimer.unref();
    }
  }

  get sessions(): ReadonlyMap<string, ServerSession<P, Data>> {
    return this.#sessions;
  }

  /**
   * The session a connecting client asked to resume, if it still exists (here, or with Redis on
   * another app server, which then gives it up), or a new one. Either way its clock stops until
   * `release()`.
   */
  async resolve(requestedId: unknown): Promise<SessionOpening<P, Data>> {
    if (typeof requestedId !== 'string')
      return { session: this.#create(randomUUID()), resumed: false };
    const existing = this.#sessions.get(requestedId);
    if (existing) {
      this.#stopClock(existing);
      return { session: existing, resumed: true };
    }
    const claimed = await this.#cluster?.claim(requestedId);
    // The client may have asked twice at once: the first answer made the session local.
    const meanwhile = this.#sessions.get(requestedId);
    if (meanwhile) {
      this.#stopClock(meanwhile);
      return { session: meanwhile, resumed: true };
    }
    if (!claimed || !this.#cluster) return { session: this.#create(randomUUID()), resumed: false };
    const session = this.#create(requestedId);
    session.data = (isRecord(claimed.state.data) ? claimed.state.data : {}) as Data;
    for (const room of claimed.state.rooms) session.join(room);
    this.#cluster.publish({ kind: 'moved', id: requestedId, to: this.#cluster.serverId });
    return { session, resumed: true, movedFrom: claimed.previousOwner };
  }

  /** Records in Redis that `session` is connected here (no-op without Redis). */
  attached(session: ServerSession<P, Data>): void {
    this.#save(session);
  }

  /**
   * A request was handled for `session`: its data or rooms may have changed. They are written to
   * Redis now if they did, so that an app server dying without a goodbye leaves the session as its
   * last request made it, not as the last periodic refresh saw it.
   */
  handled(session: ServerSession<P, Data>): void {
    if (session.connected) this.#save(session, { unlessUnchanged: true });
  }

  /** Starts the grace period of a session that has no socket (any more). */
  release(session: ServerSession<P, Data>): void {
    if (session.ended || session.socket || this.#expiryTimers.has(session)) return;
    const timer = setTimeout(() => this.end(session, 'expired'), this.#gracePeriodMs);
    this.#expiryTimers.set(session, timer);
    // The entry now expires with the grace period, holding the data as the client left it.
    this.#save(session);
  }

  /** Forgets a new session whose connection was refused: it never started, so it never ends. */
  discard(session: ServerSession<P, Data>): void {
    this.#stopClock(session);
    this.#sessions.delete(session.id);
    session.terminate();
    void this.#cluster?.remove(session.id);
  }

  end(session: ServerSession<P, Data>, reason: SessionEndReason): void {
    if (this.#sessions.get(session.id) !== session) return;
    this.#stopClock(session);
    this.#sessions.delete(session.id);
    session.terminate();
    // A moved session belongs to its new app server, which the removal leaves alone anyway.
    if (reason !== 'moved') void this.#cluster?.remove(session.id);
    this.#onEnd(session, reason);
  }

  /**
   * Another app server took session `id` over: the copy here ends (its socket with it), and the
   * events that waited here for the client follow it there.
   */
  movedAway(id: string): void {
    const session = this.#sessions.get(id);
    if (!session) return;
    const waiting = session.takeOutbox();
    this.end(session, 'moved');
    for (const [event, payload] of waiting) {
      this.#cluster?.publish({ kind: 'direct', to: id, event, payload });
    }
  }

  /** Stops the Redis refresh; the sessions are ended by the caller. */
  close(): void {
    clearInterval(this.#refreshTimer);
  }

  #create(id: string): ServerSession<P, Data> {
    const session = new ServerSession<P, Data>(id, this.#rooms, (closing) =>
      this.end(closing, 'closed'),
    );
    this.#sessions.set(session.id, session);
    return session;
  }

  #refreshConnected(): void {
    for (const session of this.#sessions.values()) if (session.connected) this.#save(session);
  }

  #save(session: ServerSession<P, Data>, { unlessUnchanged = false } = {}): void {
    const cluster = this.#cluster;
    if (!cluster || session.ended) return;
    const state = this.#sharedState(session);
    const text = JSON.stringify(state);
    if (unlessUnchanged && this.#lastShared.get(session) === text) return;
    this.#lastShared.set(session, text);
    cluster.save(session.id, state).then((stillOurs) => {
      // The notice of a take-over was missed (Redis restarted, a message lost): the entry says
      // who holds the session now.
      if (!stillOurs) this.movedAway(session.id);
    });
  }

  #sharedState(session: ServerSession<P, Data>): SharedSessionState {
    let data: unknown = session.data;
    try {
      JSON.stringify(data);
    } catch (error) {
      this.#reportError(
        error,
        `sharing the data of session ${session.id} (another app server resuming it gets {}): ` +
          'keep live objects out of session.data',
      );
      data = undefined;
    }
    return { data, rooms: [...session.rooms] };
  }

  #stopClock(session: ServerSession<P, Data>): void {
    clearTimeout(this.#expiryTimers.get(session));
    this.#expiryTimers.delete(session);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

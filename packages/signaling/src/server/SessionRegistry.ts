import { randomUUID } from 'node:crypto';
import type { Protocol } from '../protocol.js';
import type { Rooms } from './Rooms.js';
import { ServerSession, type SessionEndReason } from './Session.js';

/**
 * The live sessions, and the clock of those whose client is away: a session without a socket
 * ends when its grace period passes.
 */
export class SessionRegistry<P extends Protocol, Data> {
  readonly #sessions = new Map<string, ServerSession<P, Data>>();
  readonly #expiryTimers = new Map<ServerSession<P, Data>, ReturnType<typeof setTimeout>>();
  readonly #gracePeriodMs: number;
  readonly #rooms: Rooms<ServerSession<P, Data>>;
  readonly #onEnd: (session: ServerSession<P, Data>, reason: SessionEndReason) => void;

  constructor(
    gracePeriodMs: number,
    rooms: Rooms<ServerSession<P, Data>>,
    onEnd: (session: ServerSession<P, Data>, reason: SessionEndReason) => void,
  ) {
    this.#gracePeriodMs = gracePeriodMs;
    this.#rooms = rooms;
    this.#onEnd = onEnd;
  }

  get sessions(): ReadonlyMap<string, ServerSession<P, Data>> {
    return this.#sessions;
  }

  /**
   * The session a connecting client asked to resume, if it still exists, or a new one. Either
   * way its clock stops until `release()`.
   */
  resolve(requestedId: unknown): { session: ServerSession<P, Data>; resumed: boolean } {
    const existing = typeof requestedId === 'string' ? this.#sessions.get(requestedId) : undefined;
    if (existing) {
      this.#stopClock(existing);
      return { session: existing, resumed: true };
    }
    // A random UUID: the id is what lets a client take its session back, so it must not be
    // guessable.
    const session = new ServerSession<P, Data>(randomUUID(), this.#rooms, (closing) =>
      this.end(closing, 'closed'),
    );
    this.#sessions.set(session.id, session);
    return { session, resumed: false };
  }

  /** Starts the grace period of a session that has no socket (any more). */
  release(session: ServerSession<P, Data>): void {
    if (session.ended || session.socket || this.#expiryTimers.has(session)) return;
    const timer = setTimeout(() => this.end(session, 'expired'), this.#gracePeriodMs);
    this.#expiryTimers.set(session, timer);
  }

  /** Forgets a new session whose connection was refused: it never started, so it never ends. */
  discard(session: ServerSession<P, Data>): void {
    this.#stopClock(session);
    this.#sessions.delete(session.id);
    session.terminate();
  }

  end(session: ServerSession<P, Data>, reason: SessionEndReason): void {
    if (this.#sessions.get(session.id) !== session) return;
    this.#stopClock(session);
    this.#sessions.delete(session.id);
    session.terminate();
    this.#onEnd(session, reason);
  }

  #stopClock(session: ServerSession<P, Data>): void {
    clearTimeout(this.#expiryTimers.get(session));
    this.#expiryTimers.delete(session);
  }
}

import { KurentoError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MediaObject } from '../objects/MediaObject.js';
import type { ObjectRegistry } from '../objects/ObjectRegistry.js';
import { ServerManager } from '../objects/ServerManager.js';
import { type NotificationSink, Session } from './Session.js';

export interface SessionManagerOptions {
  /** How long a session without a WebSocket keeps its objects, waiting for `connect`. */
  readonly gracePeriodMs: number;
  readonly logger: Logger;
}

/**
 * Sessions, which connection each one is bound to, and which objects each one holds. As in KMS,
 * an object lives while some session holds it (or one of its children): a session holds what it
 * created and whatever it used by id. When a session ends (closeSession, or no reconnection
 * within the grace period), the objects no other session holds are released.
 */
export class SessionManager {
  private readonly sessions = new Map<string, Session>();
  private readonly holders = new Map<MediaObject, Set<Session>>();
  private readonly sessionBySink = new Map<NotificationSink, Session>();
  private readonly options: SessionManagerOptions;
  private readonly stopListening: () => void;

  constructor(registry: ObjectRegistry, options: SessionManagerOptions) {
    this.options = options;
    this.stopListening = registry.listen({ destroyed: (object) => this.forgetObject(object) });
  }

  get ids(): string[] {
    return [...this.sessions.keys()];
  }

  find(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /** The session a request names, created on first use as KMS does. */
  obtain(id: string | undefined): Session {
    const existing = id === undefined ? undefined : this.sessions.get(id);
    if (existing) return existing;
    const session = new Session(id);
    this.sessions.set(session.id, session);
    return session;
  }

  /** `connect {sessionId}` after a reconnection: the session must still exist. */
  resume(id: string): Session {
    const session = this.sessions.get(id);
    if (!session) {
      throw new KurentoError(
        'INVALID_SESSION',
        `Session '${id}' is unknown or expired (its objects were released); connect without a sessionId to start a new one`,
      );
    }
    return session;
  }

  /** The session most recently used on a connection, whose id the server assumes when absent. */
  sessionOf(sink: NotificationSink): Session | undefined {
    return this.sessionBySink.get(sink);
  }

  /** Binds a session to the connection it was last used on (one session per connection, as KMS). */
  bind(session: Session, sink: NotificationSink): void {
    const previous = this.sessionBySink.get(sink);
    if (previous === session && session.sink === sink) return;
    if (previous && previous !== session) this.unbind(previous);
    if (session.sink && session.sink !== sink) this.sessionBySink.delete(session.sink);
    session.sink = sink;
    this.sessionBySink.set(sink, session);
    if (session.expiryTimer) {
      clearTimeout(session.expiryTimer);
      session.expiryTimer = undefined;
    }
  }

  /** The connection closed: its session waits `gracePeriodMs` for a `connect`, then ends. */
  connectionClosed(sink: NotificationSink): void {
    const session = this.sessionBySink.get(sink);
    if (session) this.unbind(session);
  }

  hold(session: Session, object: MediaObject): void {
    if (object instanceof ServerManager || object.released) return;
    session.objects.add(object);
    let sessions = this.holders.get(object);
    if (!sessions) {
      sessions = new Set();
      this.holders.set(object, sessions);
    }
    sessions.add(session);
  }

  /** `unref`: the session lets go of the object, which is released if nobody else holds it. */
  async letGo(session: Session, object: MediaObject): Promise<void> {
    this.holders.get(object)?.delete(session);
    session.objects.delete(object);
    if (!this.isHeld(object)) await object.release();
  }

  async end(session: Session): Promise<void> {
    if (this.sessions.get(session.id) !== session) return;
    this.sessions.delete(session.id);
    if (session.expiryTimer) clearTimeout(session.expiryTimer);
    if (session.sink) this.sessionBySink.delete(session.sink);
    session.sink = undefined;
    const held = [...session.objects];
    session.clear();
    for (const object of held) this.holders.get(object)?.delete(session);
    const orphans = held.filter((object) => !object.released && !this.isHeld(object));
    this.options.logger.info('session ended', {
      sessionId: session.id,
      releasedObjects: orphans.length,
    });
    await Promise.all(orphans.map((object) => object.release()));
  }

  /** Stops timers; objects are released by the server's own shutdown. */
  close(): void {
    this.stopListening();
    for (const session of this.sessions.values()) {
      if (session.expiryTimer) clearTimeout(session.expiryTimer);
      session.clear();
    }
    this.sessions.clear();
    this.holders.clear();
    this.sessionBySink.clear();
  }

  private unbind(session: Session): void {
    if (session.sink) this.sessionBySink.delete(session.sink);
    session.sink = undefined;
    if (session.expiryTimer) clearTimeout(session.expiryTimer);
    session.expiryTimer = setTimeout(() => {
      session.expiryTimer = undefined;
      void this.end(session).catch((error: unknown) =>
        this.options.logger.error('failed to end session', { sessionId: session.id, error }),
      );
    }, this.options.gracePeriodMs);
    session.expiryTimer.unref();
  }

  private isHeld(object: MediaObject): boolean {
    if ((this.holders.get(object)?.size ?? 0) > 0) return true;
    return object.children.some((child) => this.isHeld(child));
  }

  private forgetObject(object: MediaObject): void {
    const sessions = this.holders.get(object);
    this.holders.delete(object);
    for (const session of sessions ?? []) session.forget(object);
    // Subscriptions by id of objects the session never held (possible via another session).
    for (const session of this.sessions.values()) {
      if (session.subscriptionCount > 0) session.forget(object);
    }
  }
}

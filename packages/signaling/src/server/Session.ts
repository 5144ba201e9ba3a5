import type { Socket } from 'socket.io';
import type { EventName, EventPayload, Protocol, UntypedProtocol } from '../protocol.js';
import { type SessionWelcome, WireEvent } from '../wire.js';
import type { Rooms } from './Rooms.js';

/**
 * Why a session ended:
 * `left` (the client called close()), `closed` (the server called session.close()),
 * `expired` (the client did not come back within the grace period), `shutdown` (server.close()),
 * `moved` (with `redis`: the client resumed the session on another app server, which now holds
 * it; this process only releases what it kept for the session, such as media endpoints).
 */
export type SessionEndReason = 'left' | 'closed' | 'expired' | 'shutdown' | 'moved';

/**
 * One client, across its reconnections. The session outlives a dropped socket for the server's
 * grace period; a client that comes back within it gets the same session (same id, data, rooms,
 * and the events emitted meanwhile).
 */
export interface Session<P extends Protocol = UntypedProtocol, Data = Record<string, unknown>> {
  /** The session's id, the same across the client's reconnections (the client's `sessionId`). */
  readonly id: string;
  /** Application state for this client; it lives as long as the session. Starts as `{}`. */
  data: Data;
  /** True while the client's socket is connected. */
  readonly connected: boolean;
  /** True once the session has ended; it then emits nothing and joins no room. */
  readonly ended: boolean;
  /** The rooms the session is in. */
  readonly rooms: ReadonlySet<string>;
  /** The current socket.io socket; undefined while the client is away. */
  readonly socket: Socket | undefined;
  /**
   * Pushes an event to the client. While the client is away, events are kept and delivered, in
   * order, when it resumes the session; they are dropped if the session ends.
   */
  emit<K extends EventName<P>>(event: K, payload: EventPayload<P, K>): void;
  /** Adds the session to `room` (see `broadcast` and `roomMembers`); no-op once ended. */
  join(room: string): void;
  /** Takes the session out of `room`. */
  leave(room: string): void;
  /** Ends the session now: the client is disconnected and does not reconnect. */
  close(): void;
}

/** The server's side of a session: what the application sees, plus attach/detach. */
export class ServerSession<P extends Protocol, Data> implements Session<P, Data> {
  readonly id: string;
  data = {} as Data;
  readonly #rooms = new Set<string>();
  readonly #roomIndex: Rooms<ServerSession<P, Data>>;
  readonly #close: (session: ServerSession<P, Data>) => void;
  /** Events emitted while no socket was attached; sent after the next welcome. */
  readonly #outbox: Array<[event: string, payload: unknown]> = [];
  #socket: Socket | undefined;
  #ended = false;

  constructor(
    id: string,
    roomIndex: Rooms<ServerSession<P, Data>>,
    close: (session: ServerSession<P, Data>) => void,
  ) {
    this.id = id;
    this.#roomIndex = roomIndex;
    this.#close = close;
  }

  get connected(): boolean {
    return this.#socket?.connected === true;
  }

  get ended(): boolean {
    return this.#ended;
  }

  get rooms(): ReadonlySet<string> {
    return this.#rooms;
  }

  get socket(): Socket | undefined {
    return this.#socket;
  }

  emit<K extends EventName<P>>(event: K, payload: EventPayload<P, K>): void {
    if (this.#ended) return;
    // A connected socket stores what it sends for socket.io's connection state recovery, so an
    // event lost with a dropping transport is replayed when the client recovers.
    if (this.#socket?.connected) this.#socket.emit(WireEvent.event, event, payload);
    else this.#outbox.push([event, payload]);
  }

  join(room: string): void {
    if (this.#ended) return;
    this.#rooms.add(room);
    this.#roomIndex.add(room, this);
  }

  leave(room: string): void {
    this.#rooms.delete(room);
    this.#roomIndex.remove(room, this);
  }

  close(): void {
    this.#close(this);
  }

  /** Makes `socket` the session's connection: welcomes it, then sends what waited meanwhile. */
  attach(socket: Socket, welcome: SessionWelcome): void {
    const previous = this.#socket;
    this.#socket = socket;
    // The client came back on a new connection while the old one still looked alive (the
    // server had not noticed the drop yet): the old one is stale.
    if (previous && previous !== socket) previous.disconnect(true);
    socket.emit(WireEvent.session, welcome);
    for (const [event, payload] of this.#outbox.splice(0)) {
      socket.emit(WireEvent.event, event, payload);
    }
  }

  /** Forgets `socket` if it is still the session's connection; true if it was. */
  detach(socket: Socket): boolean {
    if (this.#socket !== socket) return false;
    this.#socket = undefined;
    return true;
  }

  /** The events waiting for the client, handed over (the session keeps none). */
  takeOutbox(): Array<[event: string, payload: unknown]> {
    return this.#outbox.splice(0);
  }

  /** Called once, by the registry, when the session ends. */
  terminate(): void {
    this.#ended = true;
    for (const room of this.#rooms) this.#roomIndex.remove(room, this);
    this.#rooms.clear();
    this.#outbox.length = 0;
    const socket = this.#socket;
    this.#socket = undefined;
    // A plain disconnect sends socket.io's DISCONNECT packet: the client stops instead of
    // reconnecting to a session that no longer exists.
    if (socket?.connected) socket.disconnect();
  }
}

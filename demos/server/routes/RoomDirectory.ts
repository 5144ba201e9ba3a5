import type { MediaClient } from '@medley/media-client';
import { describeError } from '../describeError.js';
import type { Logger } from '../logger.js';

/** What a room's participants are told when its media server went away. */
export const ROOM_LOST_MESSAGE =
  'The media server of this room went away. Press Join to enter the room again: it reopens on a media server that is up.';

/** What the directory needs of a room: whether anyone is left, and how to release its media. */
export interface DirectoryRoom {
  readonly name: string;
  /** The media server the room's media is on. */
  readonly client: MediaClient;
  readonly isEmpty: boolean;
  close(): Promise<void>;
}

/**
 * The open rooms of a multi-party demo, by name: a room is created on its first join and closed
 * (its media released) once the last participant's leave is done.
 */
export class RoomDirectory<Room extends DirectoryRoom> {
  readonly #rooms = new Map<string, Room>();

  constructor(
    private readonly createRoom: (name: string) => Room,
    private readonly log: Logger,
  ) {}

  /** The room of that name, created if nobody is in it. */
  open(name: string): Room {
    let room = this.#rooms.get(name);
    if (!room) {
      room = this.createRoom(name);
      this.#rooms.set(name, room);
      this.log.info('room opened', { room: name });
    }
    return room;
  }

  /**
   * Forgets every room whose media was on `client`'s server (it went away) and hands each to
   * `end`, which tells its participants. Their next join opens a new room on another server.
   */
  dropRoomsOn(client: MediaClient, end: (room: Room) => void): void {
    for (const room of [...this.#rooms.values()]) {
      if (room.client !== client) continue;
      this.#rooms.delete(room.name);
      this.log.warn('room lost with its media server', { room: room.name });
      end(room);
    }
  }

  /**
   * Called right after a participant left `room` (synchronously): once `leaving` (the release of
   * their media) is done, an empty room is closed. Failures are logged, never thrown.
   */
  afterLeave(room: Room, leaving: Promise<void>): void {
    const warn = (error: unknown) => this.log.warn('release failed', describeError(error));
    if (room.isEmpty && this.#rooms.get(room.name) === room) {
      this.#rooms.delete(room.name);
      this.log.info('room closed', { room: room.name });
      leaving.finally(() => room.close()).catch(warn);
    } else {
      leaving.catch(warn);
    }
  }
}

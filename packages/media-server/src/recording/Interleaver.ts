import type { TimedFrame } from './EncodedFrame.js';
import type { TrackKind } from './MediaProfile.js';

/**
 * Releases the frames of several tracks in time order. Video frames reach the recorder later
 * than the audio of the same instant (a frame is complete only with its last packet, and a lost
 * packet is waited for), so each frame is held until every track has shown a later one, or
 * until it is `maxDelayMs` older than the newest frame seen (a track that went silent, e.g. a
 * muted camera, must not stall the others).
 */
export class Interleaver {
  readonly #queues = new Map<TrackKind, TimedFrame[]>();
  readonly #maxDelayMs: number;
  #newestMs = Number.NEGATIVE_INFINITY;

  constructor(kinds: readonly TrackKind[], maxDelayMs: number) {
    for (const kind of kinds) this.#queues.set(kind, []);
    this.#maxDelayMs = maxDelayMs;
  }

  /** Adds a frame; returns the frames that can be written now, in time order. */
  push(frame: TimedFrame): TimedFrame[] {
    const queue = this.#queues.get(frame.kind);
    if (!queue) return [];
    queue.push(frame);
    this.#newestMs = Math.max(this.#newestMs, frame.timeMs);
    return this.#release(false);
  }

  /** Every frame held, in time order (the recording ends). */
  flush(): TimedFrame[] {
    return this.#release(true);
  }

  #release(all: boolean): TimedFrame[] {
    const released: TimedFrame[] = [];
    for (;;) {
      let earliest: TimedFrame[] | undefined;
      let anyEmpty = false;
      for (const queue of this.#queues.values()) {
        const head = queue[0];
        if (!head) {
          anyEmpty = true;
          continue;
        }
        if (!earliest || head.timeMs < (earliest[0] as TimedFrame).timeMs) earliest = queue;
      }
      if (!earliest) return released;
      const head = earliest[0] as TimedFrame;
      if (anyEmpty && !all && this.#newestMs - head.timeMs < this.#maxDelayMs) return released;
      released.push(earliest.shift() as TimedFrame);
    }
  }
}

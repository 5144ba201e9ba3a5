import type { SendLog } from './ipc.js';
import type { MediaKind } from './rtp.js';

/** ~3.5 min at 150 packets/s: longer than any measurement window asks for. */
const CAPACITY = 32768;

/** What the publisher sent recently (media kind, sequence number, time), in a ring. */
export class SendHistory {
  readonly #isVideo = new Uint8Array(CAPACITY);
  readonly #sequenceNumbers = new Uint16Array(CAPACITY);
  readonly #timesMs = new Float64Array(CAPACITY);
  readonly #clipIndices = new Uint32Array(CAPACITY);
  #count = 0;

  record(kind: MediaKind, sequenceNumber: number, timeMs: number, clipIndex: number): void {
    const slot = this.#count % CAPACITY;
    this.#clipIndices[slot] = clipIndex;
    this.#isVideo[slot] = kind === 'video' ? 1 : 0;
    this.#sequenceNumbers[slot] = sequenceNumber;
    this.#timesMs[slot] = timeMs;
    this.#count++;
  }

  /**
   * The sequence number of the last packet of `kind` sent before `beforeMs` whose clip packet
   * `isIt` accepts, or null.
   */
  lastSent(kind: MediaKind, beforeMs: number, isIt: (clipIndex: number) => boolean): number | null {
    const isVideo = kind === 'video' ? 1 : 0;
    for (let index = this.#count - 1; index >= Math.max(0, this.#count - CAPACITY); index--) {
      const slot = index % CAPACITY;
      if ((this.#timesMs[slot] as number) > beforeMs || this.#isVideo[slot] !== isVideo) continue;
      if (isIt(this.#clipIndices[slot] as number)) return this.#sequenceNumbers[slot] as number;
    }
    return null;
  }

  /** Packets sent in [fromMs, toMs), oldest first. */
  between(fromMs: number, toMs: number): SendLog {
    const log = {
      kinds: [] as MediaKind[],
      sequenceNumbers: [] as number[],
      timesMs: [] as number[],
    };
    for (let index = Math.max(0, this.#count - CAPACITY); index < this.#count; index++) {
      const slot = index % CAPACITY;
      const timeMs = this.#timesMs[slot] as number;
      if (timeMs < fromMs || timeMs >= toMs) continue;
      log.kinds.push(this.#isVideo[slot] === 1 ? 'video' : 'audio');
      log.sequenceNumbers.push(this.#sequenceNumbers[slot] as number);
      log.timesMs.push(timeMs);
    }
    return log;
  }
}

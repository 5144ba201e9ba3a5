import { LATENCY_BIN_MS, LATENCY_BINS, type SendLog } from './ipc.js';
import type { MediaKind } from './rtp.js';

/** Slots per media kind: at ~100 video packets/s, 40 s of history. */
const SLOTS = 4096;
const SLOT_MASK = SLOTS - 1;
/** A slot older than this before the window is from an earlier pass of the sequence space. */
const STALE_MS = 30_000;

export interface WindowMatch {
  readonly expected: number;
  readonly received: number;
}

/**
 * When each packet of one subscriber arrived, by media kind and sequence number, in preallocated
 * typed arrays: recording an arrival allocates nothing, so a process can host hundreds.
 */
export class ArrivalLog {
  readonly #sequenceNumbers: Record<MediaKind, Uint16Array> = {
    audio: new Uint16Array(SLOTS),
    video: new Uint16Array(SLOTS),
  };
  readonly #arrivalsMs: Record<MediaKind, Float64Array> = {
    audio: new Float64Array(SLOTS),
    video: new Float64Array(SLOTS),
  };
  firstArrivalMs: number | undefined;
  /**
   * Publisher's sequence number − this subscriber's, per kind (mod 2^16): 0 for a server that
   * keeps them, per subscriber for one that numbers each subscriber's packets from 1 (Janus).
   * Packets of a kind with no known offset cannot be matched, so they count as lost.
   */
  readonly sequenceOffsets: Partial<Record<MediaKind, number>> = {};

  record(kind: MediaKind, sequenceNumber: number, arrivalMs: number): void {
    const slot = sequenceNumber & SLOT_MASK;
    this.#sequenceNumbers[kind][slot] = sequenceNumber;
    this.#arrivalsMs[kind][slot] = arrivalMs;
    this.firstArrivalMs ??= arrivalMs;
  }

  /** Which of `sends` arrived; each arrival's latency goes into `latencyHistogram`. */
  match(sends: SendLog, latencyHistogram: Uint32Array): WindowMatch {
    let received = 0;
    const windowStartMs = sends.timesMs[0] ?? 0;
    for (let index = 0; index < sends.kinds.length; index++) {
      const kind = sends.kinds[index] as MediaKind;
      const offset = this.sequenceOffsets[kind];
      if (offset === undefined) continue;
      const sequenceNumber = ((sends.sequenceNumbers[index] as number) - offset) & 0xffff;
      const slot = sequenceNumber & SLOT_MASK;
      const arrivalMs = this.#arrivalsMs[kind][slot] as number;
      if (this.#sequenceNumbers[kind][slot] !== sequenceNumber) continue;
      if (arrivalMs < windowStartMs - STALE_MS) continue;
      received++;
      const latencyMs = arrivalMs - (sends.timesMs[index] as number);
      const bin = Math.min(LATENCY_BINS - 1, Math.max(0, Math.floor(latencyMs / LATENCY_BIN_MS)));
      latencyHistogram[bin] = (latencyHistogram[bin] as number) + 1;
    }
    return { expected: sends.kinds.length, received };
  }
}

/** process.hrtime in ms: the same monotonic clock in every process of the machine. */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

import type { NativeSrtpBinding } from './nativeSrtpBinding.js';

/** What the batches of one thread sent, for tests and benchmarks. */
export interface NativeSendBatchCounters {
  /** Datagrams queued into the addon's batch. */
  readonly queued: number;
  /** Flushes: about one sendmmsg(2) each when the datagrams share a socket. */
  readonly flushes: number;
  /** Queued datagrams the kernel refused (full socket buffer): lost, as on the wire. */
  readonly refused: number;
}

const batches = new WeakMap<NativeSrtpBinding, NativeSendBatch>();

/**
 * Sends what the native streams of this thread queued, once the task that queued it is done:
 * a source packet is handed to every subscriber in one synchronous fan-out, so its copies leave
 * together, in one sendmmsg(2) per socket, from a microtask that runs before any timer or I/O.
 */
export class NativeSendBatch {
  readonly #binding: NativeSrtpBinding;
  #scheduled = false;
  #queued = 0;
  #flushes = 0;
  #refused = 0;
  readonly #flush = () => {
    this.#scheduled = false;
    this.#flushes++;
    this.#refused += this.#binding.flush();
  };

  static of(binding: NativeSrtpBinding): NativeSendBatch {
    let batch = batches.get(binding);
    if (!batch) {
      batch = new NativeSendBatch(binding);
      batches.set(binding, batch);
    }
    return batch;
  }

  private constructor(binding: NativeSrtpBinding) {
    this.#binding = binding;
  }

  get counters(): NativeSendBatchCounters {
    return { queued: this.#queued, flushes: this.#flushes, refused: this.#refused };
  }

  /** A datagram was queued: the batch goes out at the end of this task. */
  scheduleFlush(): void {
    this.#queued++;
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(this.#flush);
  }
}

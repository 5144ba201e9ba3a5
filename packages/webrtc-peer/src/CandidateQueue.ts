interface PendingCandidate<T> {
  candidate: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Remote ICE candidates that trickle in before the description they belong to is applied.
 *
 * A browser rejects `addIceCandidate()` without a remote description, and during an ICE restart
 * the remote side's new candidates can outrun its answer. The queue therefore holds candidates
 * while closed and applies them strictly in arrival order once opened; each `add()` settles
 * when its candidate was really applied (or failed).
 */
export class CandidateQueue<T> {
  readonly #apply: (candidate: T) => Promise<void>;
  readonly #pending: PendingCandidate<T>[] = [];
  #open = false;
  #draining: Promise<void> | undefined;
  #disposedError: Error | undefined;

  constructor(apply: (candidate: T) => Promise<void>) {
    this.#apply = apply;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** Candidates waiting for `open()`. */
  get size(): number {
    return this.#pending.length;
  }

  add(candidate: T): Promise<void> {
    if (this.#disposedError) return Promise.reject(this.#disposedError);
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ candidate, resolve, reject });
      if (this.#open) void this.#drain();
    });
  }

  /** Applies the held candidates in order, and every later one as it arrives. */
  open(): Promise<void> {
    if (this.#disposedError) return Promise.resolve();
    this.#open = true;
    return this.#drain();
  }

  /** Holds candidates again, e.g. while a new offer waits for its answer. */
  close(): void {
    this.#open = false;
  }

  /** Rejects every held candidate with `error`, and every later `add()`. */
  dispose(error: Error): void {
    this.#open = false;
    this.#disposedError = error;
    for (const entry of this.#pending.splice(0)) entry.reject(error);
  }

  #drain(): Promise<void> {
    // Assigned before the loop starts (one microtask later), so that the loop clearing it on
    // exit can never be overwritten by this assignment.
    this.#draining ??= Promise.resolve().then(() => this.#applyPending());
    return this.#draining;
  }

  async #applyPending(): Promise<void> {
    try {
      while (this.#open) {
        const entry = this.#pending.shift();
        if (!entry) return;
        try {
          await this.#apply(entry.candidate);
          entry.resolve();
        } catch (error) {
          entry.reject(error);
        }
      }
    } finally {
      this.#draining = undefined;
    }
  }
}

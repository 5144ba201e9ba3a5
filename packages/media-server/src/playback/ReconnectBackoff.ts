/**
 * When to try a dropped source again: the first retry soon, then doubling up to a cap, so a
 * camera that reboots is back within seconds and one that is gone costs a retry every
 * `maxDelayMs`. A source that delivered media again starts over from the first delay.
 */
export class ReconnectBackoff {
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  #attempts = 0;

  constructor(initialDelayMs = 500, maxDelayMs = 10_000) {
    this.#initialDelayMs = initialDelayMs;
    this.#maxDelayMs = maxDelayMs;
  }

  /** Retries since the source last delivered media. */
  get attempts(): number {
    return this.#attempts;
  }

  /** The delay before the next retry; counts it. */
  nextDelayMs(): number {
    const delay = Math.min(this.#maxDelayMs, this.#initialDelayMs * 2 ** this.#attempts);
    this.#attempts++;
    return delay;
  }

  /** The source works again. */
  reset(): void {
    this.#attempts = 0;
  }
}

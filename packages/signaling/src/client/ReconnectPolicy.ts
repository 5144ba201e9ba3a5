/** What a reconnect policy knows when it decides about the next attempt. */
export interface ReconnectContext {
  /** Attempts that failed since the connection was lost (0 before the first attempt). */
  readonly retryCount: number;
  /** Milliseconds since the connection was lost. */
  readonly elapsedMs: number;
  /** Why the connection was lost, or why the last attempt failed. */
  readonly reason: string;
}

/** Decides when the client tries to reconnect, and when it gives up. */
export interface ReconnectPolicy {
  /** Milliseconds to wait before the next attempt, or `null` to stop trying. */
  nextDelayMs(context: ReconnectContext): number | null;
}

/** The options of {@link ExponentialBackoff}: its schedule, and when it gives up. */
export interface ExponentialBackoffOptions {
  /** Delay before the first attempt. Default 250 ms: a dropped socket usually comes back at once. */
  initialDelayMs?: number;
  /** Each further delay is the previous one times this. Default 2. */
  multiplier?: number;
  /** Delays never grow beyond this. Default 10 000 ms. */
  maxDelayMs?: number;
  /**
   * Fraction of each delay that is randomised away, in [0, 1]: a delay d becomes a random value in
   * [d × (1 − jitter), d]. After a server restart it spreads the clients' attempts so they do not
   * all arrive at the same instant. Default 0.5.
   */
  jitter?: number;
  /** Give up after this many failed attempts. Default: no limit. */
  maxRetries?: number;
  /**
   * Give up once this long has passed since the connection was lost. Default 300 000 ms (5 min);
   * the server forgets a session much earlier, so later attempts only open new sessions.
   */
  maxElapsedMs?: number;
  /** Source of randomness in [0, 1); tests pass a fixed one. Default `Math.random`. */
  random?: () => number;
}

/** Exponential backoff with jitter, capped, giving up after a number of attempts or a duration. */
export class ExponentialBackoff implements ReconnectPolicy {
  readonly #initialDelayMs: number;
  readonly #multiplier: number;
  readonly #maxDelayMs: number;
  readonly #jitter: number;
  readonly #maxRetries: number;
  readonly #maxElapsedMs: number;
  readonly #random: () => number;

  constructor(options: ExponentialBackoffOptions = {}) {
    this.#initialDelayMs = options.initialDelayMs ?? 250;
    this.#multiplier = options.multiplier ?? 2;
    this.#maxDelayMs = options.maxDelayMs ?? 10_000;
    this.#jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
    this.#maxRetries = options.maxRetries ?? Number.POSITIVE_INFINITY;
    this.#maxElapsedMs = options.maxElapsedMs ?? 300_000;
    this.#random = options.random ?? Math.random;
  }

  nextDelayMs({ retryCount, elapsedMs }: ReconnectContext): number | null {
    if (retryCount >= this.#maxRetries || elapsedMs >= this.#maxElapsedMs) return null;
    const backoff = this.#initialDelayMs * this.#multiplier ** retryCount;
    const capped = Math.min(this.#maxDelayMs, backoff);
    return Math.round(capped * (1 - this.#jitter * this.#random()));
  }
}

/** For clients that must not reconnect on their own (the application decides). */
export const neverReconnect: ReconnectPolicy = { nextDelayMs: () => null };

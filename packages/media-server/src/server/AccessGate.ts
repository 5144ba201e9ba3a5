import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../logger.js';

/** Wrong tokens an address may try before it has to wait. */
const FREE_ATTEMPTS = 5;
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 60_000;
/** An address that stops failing for this long starts afresh (and its entry is dropped). */
const FORGET_AFTER_MS = 10 * 60_000;
/** Bounds the table under a spread of source addresses; the oldest entry goes first. */
const MAX_ADDRESSES = 10_000;
const SUMMARY_INTERVAL_MS = 60_000;

export type AccessDecision =
  | { readonly kind: 'allowed' }
  | { readonly kind: 'refused' }
  | { readonly kind: 'throttled'; readonly retryAfterSeconds: number };

interface Failures {
  count: number;
  blockedUntilMs: number;
  lastAtMs: number;
}

/**
 * Checks the access token of a WebSocket upgrade, and makes guessing it slow: after a few wrong
 * tokens an address waits (1 s, doubling to 60 s) before any attempt of it is even compared.
 * Tokens are compared by their SHA-256, in constant time, so neither their content nor their
 * length leaks through timing. Refusals are logged once per address, then as a summary a minute.
 */
export class AccessGate {
  readonly #expectedDigest: Buffer;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #failures = new Map<string, Failures>();
  readonly #timer: NodeJS.Timeout;
  #refusedSinceSummary = 0;
  readonly #addressesSinceSummary = new Set<string>();

  constructor(token: string, logger: Logger, now: () => number = () => performance.now()) {
    this.#expectedDigest = digest(token);
    this.#logger = logger;
    this.#now = now;
    this.#timer = setInterval(() => this.#summarize(), SUMMARY_INTERVAL_MS);
    this.#timer.unref();
  }

  check(address: string, given: string | null): AccessDecision {
    const now = this.#now();
    const failures = this.#failures.get(address);
    if (failures && now - failures.lastAtMs > FORGET_AFTER_MS) this.#failures.delete(address);
    else if (failures && now < failures.blockedUntilMs) {
      this.#countRefusal(address);
      return {
        kind: 'throttled',
        retryAfterSeconds: Math.ceil((failures.blockedUntilMs - now) / 1000),
      };
    }
    if (given !== null && timingSafeEqual(digest(given), this.#expectedDigest)) {
      this.#failures.delete(address);
      return { kind: 'allowed' };
    }
    this.#recordFailure(address, now);
    return { kind: 'refused' };
  }

  close(): void {
    clearInterval(this.#timer);
    this.#summarize();
  }

  #recordFailure(address: string, now: number): void {
    let failures = this.#failures.get(address);
    if (!failures) {
      if (this.#failures.size >= MAX_ADDRESSES) {
        const oldest = this.#failures.keys().next().value;
        if (oldest !== undefined) this.#failures.delete(oldest);
      }
      failures = { count: 0, blockedUntilMs: 0, lastAtMs: now };
      this.#failures.set(address, failures);
      this.#logger.warn('refused a client with a missing or wrong access token', {
        remoteAddress: address,
      });
    }
    failures.count++;
    failures.lastAtMs = now;
    if (failures.count >= FREE_ATTEMPTS) {
      const backoff = FIRST_BACKOFF_MS * 2 ** (failures.count - FREE_ATTEMPTS);
      failures.blockedUntilMs = now + Math.min(MAX_BACKOFF_MS, backoff);
    }
    this.#countRefusal(address);
  }

  #countRefusal(address: string): void {
    this.#refusedSinceSummary++;
    if (this.#addressesSinceSummary.size < MAX_ADDRESSES) this.#addressesSinceSummary.add(address);
  }

  #summarize(): void {
    if (this.#refusedSinceSummary === 0) return;
    this.#logger.warn('access token refusals', {
      refused: this.#refusedSinceSummary,
      addresses: this.#addressesSinceSummary.size,
      throttledAddresses: [...this.#failures.values()].filter(
        (failures) => failures.blockedUntilMs > this.#now(),
      ).length,
    });
    this.#refusedSinceSummary = 0;
    this.#addressesSinceSummary.clear();
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

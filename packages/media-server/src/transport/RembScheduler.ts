/**
 * Lowest bitrate announced to a publisher. One subscriber on a bad link must not push the
 * publisher below what still carries a watchable picture for everyone else; below this, that
 * subscriber loses packets instead (simulcast layers are the real answer).
 */
export const MIN_REMB_BITRATE = 100_000;

/**
 * Announced once no subscriber reports any more, so that the publisher's own estimate (loss
 * based, since transport-cc is not negotiated) decides alone again: browsers keep the last REMB
 * as a ceiling until told otherwise.
 */
export const UNLIMITED_REMB_BITRATE = 100_000_000;

/** Browsers send their REMB about once a second; a publisher hears from us as often. */
export const REMB_INTERVAL_MS = 1000;

/** A drop of more than this fraction is announced at once instead of at the next interval. */
const URGENT_DECREASE = 0.03;

/**
 * Decides when to tell a publisher the bitrate its subscribers take, and what: the lowest of
 * their receivers' estimates (as the graph reports it), clamped to {@link MIN_REMB_BITRATE}.
 * Fed every time the estimate changes; sends at most once per {@link REMB_INTERVAL_MS}, except
 * that a drop goes out at once, so a congested subscriber is relieved within a round trip.
 */
export class RembScheduler {
  readonly #send: (bitsPerSecond: number) => void;
  #lastSent: number | undefined;
  #lastSentAtMs = Number.NEGATIVE_INFINITY;

  constructor(send: (bitsPerSecond: number) => void) {
    this.#send = send;
  }

  /** The bitrate last announced, or undefined when the publisher is not limited by us. */
  get announced(): number | undefined {
    return this.#lastSent;
  }

  /** A new lowest estimate among the subscribers (undefined: none reports any more). */
  update(estimate: number | undefined, nowMs = performance.now()): void {
    if (estimate === undefined) {
      if (this.#lastSent === undefined) return;
      this.#lastSent = undefined;
      this.#lastSentAtMs = nowMs;
      this.#send(UNLIMITED_REMB_BITRATE);
      return;
    }
    const bitrate = Math.max(MIN_REMB_BITRATE, Math.round(estimate));
    const last = this.#lastSent;
    const urgent = last === undefined || bitrate < last * (1 - URGENT_DECREASE);
    if (!urgent && nowMs - this.#lastSentAtMs < REMB_INTERVAL_MS) return;
    this.#lastSent = bitrate;
    this.#lastSentAtMs = nowMs;
    this.#send(bitrate);
  }
}

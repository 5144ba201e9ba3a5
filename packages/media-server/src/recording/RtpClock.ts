const TIMESTAMP_MODULO = 2 ** 32;

/**
 * Places a track's RTP timestamps on the recording's clock (milliseconds). The first packet
 * anchors the track: its timestamp is the moment it arrived; later timestamps count from it in
 * the codec's clock, so frames keep the spacing the sender gave them (no arrival jitter), and
 * tracks line up by the moment each started arriving. No RTCP sender report is needed, so no
 * media is held back waiting for one.
 */
export class RtpClock {
  readonly clockRate: number;
  #anchorTimestamp: number | undefined;
  #anchorMs = 0;
  #highest = 0;

  constructor(clockRate: number) {
    this.clockRate = clockRate;
  }

  get anchored(): boolean {
    return this.#anchorTimestamp !== undefined;
  }

  /** Anchors the clock on the first packet after a (re)start; `nowMs` on the recording clock. */
  observe(timestamp: number, nowMs: number): void {
    if (this.#anchorTimestamp !== undefined) {
      this.#extend(timestamp);
      return;
    }
    this.#anchorTimestamp = timestamp;
    this.#highest = timestamp;
    this.#anchorMs = nowMs;
  }

  /** The recording-clock time (ms) of a timestamp at or after the anchor. */
  timeOf(timestamp: number): number {
    const anchor = this.#anchorTimestamp ?? timestamp;
    return this.#anchorMs + ((this.#extend(timestamp) - anchor) * 1000) / this.clockRate;
  }

  /** The next packet anchors the clock again (after a pause or a source switch). */
  reanchor(): void {
    this.#anchorTimestamp = undefined;
  }

  /** A 32-bit timestamp extended against the highest one seen, so wrap-around is seamless. */
  #extend(timestamp: number): number {
    const low = this.#highest % TIMESTAMP_MODULO;
    let delta = (timestamp - low + TIMESTAMP_MODULO) % TIMESTAMP_MODULO;
    if (delta >= TIMESTAMP_MODULO / 2) delta -= TIMESTAMP_MODULO;
    const extended = this.#highest + delta;
    if (extended > this.#highest) this.#highest = extended;
    return extended;
  }
}

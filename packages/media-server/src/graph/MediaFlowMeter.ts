import { runGuarded } from './listenerFailure.js';
import type { MediaFlowState } from './MediaType.js';

const CHECK_INTERVAL_MS = 500;

/**
 * Detects whether packets cross one side of an element. Counting a packet is one increment and
 * one comparison (hot path); a single shared timer notices silence, and only watches meters that
 * are FLOWING, so an idle server runs no timer at all.
 */
export class MediaFlowMeter {
  state: MediaFlowState = 'NOT_FLOWING';
  #packets = 0;
  #packetsAtLastCheck = 0;
  #lastActiveAtMs = 0;
  readonly #timeoutMs: number;
  readonly #onChange: (state: MediaFlowState) => void;

  /** `onChange` runs on every FLOWING / NOT_FLOWING transition. */
  constructor(timeoutMs: number, onChange: (state: MediaFlowState) => void) {
    this.#timeoutMs = timeoutMs;
    this.#onChange = onChange;
  }

  count(): void {
    this.#packets++;
    if (this.state === 'FLOWING') return;
    this.state = 'FLOWING';
    this.#lastActiveAtMs = performance.now();
    this.#packetsAtLastCheck = this.#packets;
    watchedMeters.add(this);
    startTimer();
    // On the packet path: a throwing listener must not cost the packet.
    runGuarded('media flow listener', () => this.#onChange('FLOWING'));
  }

  /** Stops watching without reporting a transition (the element is going away). */
  stop(): void {
    watchedMeters.delete(this);
    this.state = 'NOT_FLOWING';
  }

  /** Called by the shared timer. */
  check(nowMs: number): void {
    if (this.#packets !== this.#packetsAtLastCheck) {
      this.#packetsAtLastCheck = this.#packets;
      this.#lastActiveAtMs = nowMs;
      return;
    }
    if (nowMs - this.#lastActiveAtMs < this.#timeoutMs) return;
    watchedMeters.delete(this);
    this.state = 'NOT_FLOWING';
    this.#onChange('NOT_FLOWING');
  }
}

const watchedMeters = new Set<MediaFlowMeter>();
let timer: NodeJS.Timeout | undefined;

function startTimer(): void {
  if (timer) return;
  timer = setInterval(checkMeters, CHECK_INTERVAL_MS);
  timer.unref();
}

function checkMeters(): void {
  const now = performance.now();
  for (const meter of watchedMeters) runGuarded('media flow listener', () => meter.check(now));
  if (watchedMeters.size === 0 && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}

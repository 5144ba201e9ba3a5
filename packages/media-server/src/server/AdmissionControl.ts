import { availableParallelism } from 'node:os';
import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import { KurentoError } from '../errors.js';

/** An event loop that carries media: the main thread's, or a send worker's. */
export interface MediaLoop {
  readonly name: string;
  /** Cumulative, as `performance.eventLoopUtilization()` (and `worker.performance`'s). */
  eventLoopUtilization(): EventLoopUtilization;
}

export interface AdmissionControlOptions {
  /**
   * Busy share (0–1] of the busiest media event loop above which new endpoints are refused.
   * 1 admits everything.
   */
  readonly maxLoad: number;
  /** The loops to watch besides the main thread's (send workers). */
  readonly loops?: () => readonly MediaLoop[];
  /** How long the load must last to count: a burst of set-up work is not saturation. */
  readonly windowMs?: number;
  /**
   * Share (0–1) of the machine's cores taken by processing stages (GStreamer filters and
   * transcoders run in their own processes, outside every event loop). It counts together with
   * this process's own CPU: a mixer and the forwarding of its ports compete for the same cores.
   */
  readonly processingLoad?: () => number;
}

const SAMPLE_INTERVAL_MS = 500;
const DEFAULT_WINDOW_MS = 5000;
const MAIN_LOOP: MediaLoop = {
  name: 'main thread',
  eventLoopUtilization: () => performance.eventLoopUtilization(),
};

/**
 * Refuses new media endpoints while the server is near saturation, so that one subscriber too
 * many is told "not now" (Kurento's NOT_ENOUGH_RESOURCES, 40009) instead of every subscriber
 * losing packets. Load is the busy share of the busiest media event loop (forwarding is CPU-bound
 * and an event loop runs on one core at most), averaged over a few seconds so that a burst of
 * DTLS handshakes does not count as saturation while a media load that stays does.
 */
export class AdmissionControl {
  readonly maxLoad: number;
  readonly #loops: () => readonly MediaLoop[];
  readonly #processingLoad: () => number;
  #smoothedServerCpu: number | undefined;
  #previousCpu: { usage: NodeJS.CpuUsage; at: number } | undefined;
  readonly #previous = new Map<MediaLoop, EventLoopUtilization>();
  readonly #smoothed = new Map<MediaLoop, number>();
  /** Weight of a new sample in the moving average. */
  readonly #weight: number;
  readonly #timer: NodeJS.Timeout;
  #load = 0;
  #busiest = MAIN_LOOP.name;
  #refusals = 0;

  constructor(options: AdmissionControlOptions) {
    this.maxLoad = options.maxLoad;
    this.#loops = options.loops ?? (() => []);
    this.#processingLoad = options.processingLoad ?? (() => 0);
    this.#weight = Math.min(1, SAMPLE_INTERVAL_MS / (options.windowMs ?? DEFAULT_WINDOW_MS));
    this.#timer = setInterval(() => this.#sample(), SAMPLE_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Busy share of the busiest media loop, averaged over the window (0–1). */
  get load(): number {
    return this.#load;
  }

  /** How many creations `admit` refused since the server started. */
  get refusals(): number {
    return this.#refusals;
  }

  /** @throws KurentoError NOT_ENOUGH_RESOURCES when the server is above its load limit. */
  admit(what: string): void {
    if (this.maxLoad >= 1 || this.#load < this.maxLoad) return;
    this.#refusals++;
    const percent = (share: number) => `${Math.round(share * 100)}%`;
    throw new KurentoError(
      'NOT_ENOUGH_RESOURCES',
      `Cannot create ${what}: the media server is near saturation (${this.#busiest} ${percent(this.#load)} busy, limit ${percent(this.maxLoad)}). Retry later or use another media server.`,
    );
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #sample(): void {
    let load = 0;
    let busiest = MAIN_LOOP.name;
    const loops = [MAIN_LOOP, ...this.#loops()];
    for (const loop of loops) {
      const previous = this.#previous.get(loop);
      const total = loop.eventLoopUtilization();
      this.#previous.set(loop, total);
      if (!previous) continue;
      const latest = busyShare(previous, total);
      const utilization =
        this.#weight * latest + (1 - this.#weight) * (this.#smoothed.get(loop) ?? latest);
      this.#smoothed.set(loop, utilization);
      if (utilization > load) {
        load = utilization;
        busiest = loop.name;
      }
    }
    for (const loop of this.#previous.keys())
      if (!loops.includes(loop)) this.#previous.delete(loop);
    const processing = this.#processingLoad();
    // Without stages, the event loops above say it all (and this process's CPU share would only
    // add a second, blunter reading of them).
    const ownCpu = this.#ownCpuShare();
    const serverCpu = processing > 0 ? processing + ownCpu : 0;
    this.#smoothedServerCpu =
      this.#weight * serverCpu + (1 - this.#weight) * (this.#smoothedServerCpu ?? serverCpu);
    if (this.#smoothedServerCpu > load) {
      load = this.#smoothedServerCpu;
      busiest = 'the server with its GStreamer stages (share of all cores)';
    }
    this.#load = load;
    this.#busiest = busiest;
  }

  /** Share (0–1) of all cores this process used since the previous call. */
  #ownCpuShare(): number {
    const now = { usage: process.cpuUsage(), at: performance.now() };
    const before = this.#previousCpu;
    this.#previousCpu = now;
    if (!before) return 0;
    const usedMs =
      (now.usage.user - before.usage.user + now.usage.system - before.usage.system) / 1000;
    const elapsedMs = now.at - before.at;
    return elapsedMs > 0 ? usedMs / elapsedMs / availableParallelism() : 0;
  }
}

function busyShare(before: EventLoopUtilization, after: EventLoopUtilization): number {
  const active = after.active - before.active;
  const elapsed = active + after.idle - before.idle;
  return elapsed > 0 ? active / elapsed : 0;
}

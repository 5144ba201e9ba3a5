/**
 * Weight of the newest sample in {@link LatencyAverage}: Kurento's (`KMS_STATS_ALPHA`), so that
 * Medley's averages move as fast as the ones Kurento applications were tuned against.
 */
export const LATENCY_AVERAGE_WEIGHT = 0.25;

/**
 * A moving average of the time media took to reach a point of the pipeline, one sample per
 * packet: exponentially weighted as Kurento averages its latency stats, so recent packets count
 * most and a spike fades out within a few dozen packets.
 */
export class LatencyAverage {
  #averageMs = 0;
  #samples = 0;

  /** Adds the latency of one packet, in milliseconds. */
  add(latencyMs: number): void {
    this.#averageMs =
      this.#samples === 0
        ? latencyMs
        : latencyMs * LATENCY_AVERAGE_WEIGHT + this.#averageMs * (1 - LATENCY_AVERAGE_WEIGHT);
    this.#samples++;
  }

  /** How many packets were measured. */
  get samples(): number {
    return this.#samples;
  }

  /** The average in nanoseconds, the unit of Kurento's stats; 0 before the first sample. */
  get averageNs(): number {
    return Math.round(this.#averageMs * 1e6);
  }
}

/** Order statistics of a sample, by the nearest-rank method (no interpolation between samples). */
export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) throw new RangeError('percentile() of an empty sample');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil(fraction * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export interface Summary {
  readonly count: number;
  readonly median: number;
  readonly p90: number;
  readonly p95: number;
  readonly min: number;
  readonly max: number;
}

export function summarize(values: readonly number[]): Summary {
  return {
    count: values.length,
    median: percentile(values, 0.5),
    p90: percentile(values, 0.9),
    p95: percentile(values, 0.95),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

import { Counter, type Registry } from 'prom-client';

/** One series of a counter and the running total it shows. */
export interface Total<Label extends string> {
  readonly labels: Readonly<Record<Label, string>>;
  readonly value: number;
}

export interface RunningTotalCounterOptions<Label extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly Label[];
  readonly registry: Registry;
  /** Read when scraped: every series and the total the server's own counters hold now. */
  readonly totals: () => Iterable<Total<Label>>;
}

/**
 * A Prometheus counter that shows a total the server already counts (werift's packet counts, a
 * refusal count), read when scraped instead of incremented on the hot path. A total that
 * shrinks (a loss estimate corrected by a late packet) is shown at its highest so far: a
 * counter that went down would read as a restart to Prometheus' rate().
 */
export function runningTotalCounter<Label extends string>(
  options: RunningTotalCounterOptions<Label>,
): Counter<Label> {
  const highest = new Map<string, number>();
  return new Counter<Label>({
    name: options.name,
    help: options.help,
    labelNames: options.labelNames,
    registers: [options.registry],
    collect(this: Counter<Label>) {
      this.reset();
      for (const { labels, value } of options.totals()) {
        const key = options.labelNames.map((name) => labels[name]).join('\u0000');
        const shown = Math.max(highest.get(key) ?? 0, Number.isFinite(value) ? value : 0);
        highest.set(key, shown);
        this.inc(labels as Partial<Record<Label, string>>, shown);
      }
    },
  });
}

import type { EventLoopUtilization } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';
import type { MediaLoop } from '../server/AdmissionControl.js';
import { runningTotalCounter } from './runningTotalCounter.js';

/**
 * How busy the event loops that carry media are (perf_hooks.eventLoopUtilization): a busy-time
 * counter for rate() and a gauge of the busy share since the previous scrape. Forwarding is
 * CPU-bound on one core per loop, so a loop near 1 is the server's limit, whatever the machine's
 * total CPU says.
 */
export function registerEventLoopMetrics(
  registry: Registry,
  loops: () => readonly MediaLoop[],
): void {
  runningTotalCounter({
    registry,
    name: 'medley_event_loop_busy_seconds_total',
    help: 'Time each media event loop spent running code rather than waiting (rate() of it is its busy share).',
    labelNames: ['loop'],
    totals: () =>
      loops().map((loop) => ({
        labels: { loop: loop.name },
        value: loop.eventLoopUtilization().active / 1000,
      })),
  });
  const previous = new Map<string, EventLoopUtilization>();
  new Gauge({
    name: 'medley_event_loop_utilization',
    help: 'Busy share (0-1) of each media event loop since the previous scrape (since the loop started, on the first).',
    labelNames: ['loop'],
    registers: [registry],
    collect(this: Gauge<'loop'>) {
      this.reset();
      for (const loop of loops()) {
        const now = loop.eventLoopUtilization();
        const before = previous.get(loop.name);
        previous.set(loop.name, now);
        const active = now.active - (before?.active ?? 0);
        const elapsed = active + now.idle - (before?.idle ?? 0);
        this.set({ loop: loop.name }, elapsed > 0 ? active / elapsed : 0);
      }
    },
  });
}

import { collectDefaultMetrics, Registry } from 'prom-client';

let processRegistry: Registry | undefined;

/**
 * prom-client's default metrics (CPU, memory, file descriptors, event-loop lag, GC) in a
 * registry of their own, made once per process: they describe the process, not one server, and
 * prom-client's observers for them cannot be stopped, so every server of a process shares them.
 */
export function processMetricsRegistry(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

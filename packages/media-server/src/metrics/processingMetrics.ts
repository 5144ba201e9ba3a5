import { Gauge, type Registry } from 'prom-client';
import type { ProcessingPlane } from '../processing/ProcessingPlane.js';

/** The processing plane: GStreamer stages (child processes) and the transcoders among them. */
export function registerProcessingMetrics(registry: Registry, processing: ProcessingPlane): void {
  new Gauge({
    name: 'medley_processing_stages',
    help: 'Processing stages alive: GStreamer child processes of filters, transcoders and mixers.',
    registers: [registry],
    collect(this: Gauge) {
      this.set(processing.stages.length);
    },
  });
  new Gauge({
    name: 'medley_transcoders',
    help: 'Transcoders alive, each shared by the sinks that need the same conversion of one source.',
    registers: [registry],
    collect(this: Gauge) {
      this.set(processing.transcoders.transcoders.length);
    },
  });
  new Gauge({
    name: 'medley_processing_cpu_share',
    help: "Share (0-1) of the machine's cores the processing stages used over the last second.",
    registers: [registry],
    collect(this: Gauge) {
      this.set(processing.load);
    },
  });
}

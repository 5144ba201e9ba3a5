import { Gauge, type Registry } from 'prom-client';
import type { AdmissionControl } from '../server/AdmissionControl.js';
import { runningTotalCounter } from './runningTotalCounter.js';

/** What admission control sees and what it refused. */
export function registerAdmissionMetrics(registry: Registry, admission: AdmissionControl): void {
  runningTotalCounter({
    registry,
    name: 'medley_admission_refusals_total',
    help: 'Endpoints and filters refused with NOT_ENOUGH_RESOURCES (40009) because the server was above its load limit.',
    labelNames: [],
    totals: () => [{ labels: {}, value: admission.refusals }],
  });
  new Gauge({
    name: 'medley_admission_load',
    help: "The load admission control compares with its limit: busy share (0-1) of the busiest media event loop, or the processing stages' share of the cores, averaged over 5 s.",
    registers: [registry],
    collect(this: Gauge) {
      this.set(admission.load);
    },
  });
  new Gauge({
    name: 'medley_admission_max_load',
    help: 'The load above which new endpoints are refused (--max-load); 1 admits everything.',
    registers: [registry],
    collect(this: Gauge) {
      this.set(admission.maxLoad);
    },
  });
}

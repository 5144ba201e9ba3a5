import type { ServerResponse } from 'node:http';
import { Counter, type Registry } from 'prom-client';

/** Counts the HTTP requests of the demo pages' port that were answered with an error. */
export class HttpRefusals {
  readonly #refused: Counter<'status'>;

  constructor(registry: Registry) {
    this.#refused = new Counter({
      name: 'medley_demo_http_requests_refused_total',
      help: 'HTTP requests to the demo pages answered with an error, by status (400 malformed URL, 404 unknown path or recording, 500 a failure the log explains).',
      labelNames: ['status'],
      registers: [registry],
    });
  }

  /** Watches `response`; counts it once sent if its status is 400 or above. */
  watch(response: ServerResponse): void {
    response.once('finish', () => {
      if (response.statusCode >= 400) this.#refused.inc({ status: String(response.statusCode) });
    });
  }
}

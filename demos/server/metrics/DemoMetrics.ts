import { collectDefaultMetrics, Registry } from 'prom-client';
import { registerCallMetrics } from './callMetrics.js';
import type { DemoSignaling } from './DemoSignaling.js';
import { HttpRefusals } from './httpMetrics.js';
import { registerSignalingMetrics } from './signalingMetrics.js';

/**
 * The demo app server's metrics (`medley_demo_*`) in a registry of its own, with the process
 * metrics of prom-client and, when the media server is embedded, its `medley_*` metrics: one
 * scrape describes the whole process.
 */
export class DemoMetrics {
  readonly #own = new Registry();
  readonly http = new HttpRefusals(this.#own);
  #served: Registry | undefined;

  constructor() {
    // Once per process: the embedded media server keeps no process metrics of its own.
    collectDefaultMetrics({ register: this.#own });
  }

  /**
   * Starts reading the demos' signaling; `mediaServer` is the embedded media server's registry
   * (absent with MEDIA_SERVER_URL: that server serves its own metrics, if any).
   */
  watch(signaling: DemoSignaling, mediaServer: Registry | undefined): void {
    registerSignalingMetrics(this.#own, signaling);
    registerCallMetrics(this.#own, signaling);
    this.#served = mediaServer ? Registry.merge([this.#own, mediaServer]) : this.#own;
  }

  /** The registry to serve: the app server's, the process's and the embedded media server's. */
  get registry(): Registry {
    return this.#served ?? this.#own;
  }
}

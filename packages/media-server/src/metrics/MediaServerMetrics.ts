import { Registry } from 'prom-client';
import { registerAdmissionMetrics } from './admissionMetrics.js';
import { registerEventLoopMetrics } from './eventLoopMetrics.js';
import { registerIceUdpMuxMetrics } from './iceUdpMuxMetrics.js';
import type { MetricsSources } from './MetricsSources.js';
import { registerObjectMetrics } from './objectMetrics.js';
import { registerProcessingMetrics } from './processingMetrics.js';
import { RtpTrafficTotals } from './RtpTrafficTotals.js';
import { registerRecordingMetrics } from './recordingMetrics.js';
import { registerRtpMetrics } from './rtpMetrics.js';
import { registerSessionMetrics } from './sessionMetrics.js';

/**
 * The `medley_*` metrics of one media server, in a registry of its own (never prom-client's
 * global one), so that two servers of one process each count their own. Values are read from
 * the server's state when scraped; only the totals of released WebRTC endpoints are kept.
 */
export class MediaServerMetrics {
  readonly registry = new Registry();
  readonly #traffic: RtpTrafficTotals;

  constructor(sources: MetricsSources) {
    this.#traffic = new RtpTrafficTotals(sources.objects);
    registerObjectMetrics(this.registry, sources.objects);
    registerSessionMetrics(this.registry, sources.sessions, sources.connections);
    registerRtpMetrics(this.registry, this.#traffic);
    registerProcessingMetrics(this.registry, sources.processing);
    registerEventLoopMetrics(this.registry, sources.loops);
    registerAdmissionMetrics(this.registry, sources.admission);
    registerRecordingMetrics(this.registry, sources.mediaRoot);
    if (sources.iceUdpMux) registerIceUdpMuxMetrics(this.registry, sources.iceUdpMux);
  }

  /** Stops following the server's objects. */
  close(): void {
    this.#traffic.close();
  }
}

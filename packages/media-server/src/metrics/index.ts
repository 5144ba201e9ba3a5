export { MediaServerMetrics } from './MediaServerMetrics.js';
export { METRICS_PATH, type MetricsEndpoint, startMetricsEndpoint } from './MetricsEndpoint.js';
export type { MetricsSources } from './MetricsSources.js';
export { processMetricsRegistry } from './processMetrics.js';

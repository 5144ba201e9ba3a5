/**
 * The demo app server's Prometheus endpoint in the e2e run (METRICS_PORT, given by
 * playwright.config.ts): a port apart from the pages, on loopback.
 */
export const demoMetricsPort = Number(process.env.E2E_METRICS_PORT ?? 18464);
export const demoMetricsUrl = `http://127.0.0.1:${demoMetricsPort}/metrics`;

/**
 * The demo app server's embedded media server in the e2e run: a fixed loopback port and token
 * (EMBEDDED_MEDIA_SERVER_PORT / _TOKEN), so tests can inspect its pipelines; the app server
 * itself publishes neither.
 */
export const embeddedMediaServerPort = Number(process.env.E2E_MEDIA_SERVER_PORT ?? 18888);
export const embeddedMediaServerToken = 'medley-e2e-only-token';
export const embeddedMediaServerUrl = `ws://127.0.0.1:${embeddedMediaServerPort}/kurento`;

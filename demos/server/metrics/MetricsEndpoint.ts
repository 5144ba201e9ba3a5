import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';

/** The demo app server's Prometheus endpoint: `GET /metrics` on a port of its own. */
export interface MetricsEndpoint {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `registry` at `GET /metrics` (and HEAD) on `host:port`; other paths are 404, other
 * methods 405. A scrape that fails is a 500, logged.
 */
export async function startMetricsEndpoint(
  registry: Registry,
  host: string,
  port: number,
  log: Logger,
): Promise<MetricsEndpoint> {
  const server = createServer((request, response) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' });
      response.end('Not found: this port serves Prometheus metrics at GET /metrics only\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' });
      response.end('Scrape /metrics with GET\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        response.writeHead(200, {
          'content-type': registry.contentType,
          'cache-control': 'no-store',
        });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        log.error('metrics scrape failed', { error: String(error) });
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('Metrics could not be collected; the demo server log says why\n');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `METRICS_PORT ${port} cannot be used on ${host} (${error.code ?? error.message}): choose another, or 0 for a free one.`,
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { ConfigurationError } from '../errors.js';
import type { Logger } from '../logger.js';

export const METRICS_PATH = '/metrics';

/** An HTTP server answering Prometheus scrapes: `GET /metrics` and nothing else. */
export interface MetricsEndpoint {
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves the registries' metrics in the Prometheus text format at `GET /metrics` (and HEAD) on
 * `host:port`. Other paths get 404 and other methods 405, each saying what is served. A scrape
 * that fails is a 500 with the reason, logged, never a crash.
 * @throws ConfigurationError when the port cannot be bound (in use, not allowed).
 */
export async function startMetricsEndpoint(
  registries: readonly Registry[],
  host: string,
  port: number,
  logger: Logger,
): Promise<MetricsEndpoint> {
  const served = Registry.merge([...registries]);
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== METRICS_PATH) {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end(`Not found: this port serves Prometheus metrics at GET ${METRICS_PATH} only\n`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { 'Content-Type': 'text/plain', Allow: 'GET, HEAD' });
      response.end(`Method ${request.method} not allowed: scrape ${METRICS_PATH} with GET\n`);
      return;
    }
    served.metrics().then(
      (text) => {
        response.writeHead(200, {
          'Content-Type': served.contentType,
          'Cache-Control': 'no-store',
        });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        logger.error('metrics scrape failed', { error });
        response.writeHead(500, { 'Content-Type': 'text/plain' });
        response.end(`Metrics could not be collected: ${(error as Error)?.message ?? error}\n`);
      },
    );
  });
  const boundPort = await listen(server, host, port);
  server.on('error', (error) => logger.warn('metrics endpoint error', { error }));
  return {
    port: boundPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new ConfigurationError(
          `cannot serve metrics on ${host}:${port} (${error.code ?? error.message}): choose another --metrics-port, or 0 for a free one`,
        ),
      );
    });
    server.listen(port, host, () => {
      server.removeAllListeners('error');
      resolve((server.address() as AddressInfo).port);
    });
  });
}

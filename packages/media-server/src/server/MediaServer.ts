import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { Registry } from 'prom-client';
import { WebSocketServer } from 'ws';
import { builtinTypes } from '../elements/index.js';
import { ConfigurationError } from '../errors.js';
import { createJsonLogger } from '../logger.js';
import {
  METRICS_PATH,
  MediaServerMetrics,
  type MetricsEndpoint,
  processMetricsRegistry,
  startMetricsEndpoint,
} from '../metrics/index.js';
import { ObjectRegistry } from '../objects/ObjectRegistry.js';
import type { ServerContext } from '../objects/ServerContext.js';
import { ServerManager, ServerManagerType } from '../objects/ServerManager.js';
import { ProcessingPlane } from '../processing/ProcessingPlane.js';
import { ClientConnection } from '../protocol/ClientConnection.js';
import { KurentoProtocol } from '../protocol/KurentoProtocol.js';
import { SessionManager } from '../protocol/SessionManager.js';
import { IceUdpMux, SrtpWorkerPool } from '../transport/index.js';
import { WhipRouter } from '../whip/WhipRouter.js';
import { type WhipStatus, whipStatus } from '../whip/WhipStatus.js';
import { AccessGate } from './AccessGate.js';
import { AdmissionControl, type MediaLoop } from './AdmissionControl.js';
import { HttpEndpointRoutes } from './HttpEndpointRoutes.js';
import { type MediaServerOptions, type ResolvedOptions, resolveOptions } from './options.js';

/** Frames above this many times the message limit close the socket (ws refuses to buffer them). */
const HARD_FRAME_LIMIT_FACTOR = 4;
/** A client that misses a WebSocket ping for this long is cut off; its session enters its grace period. */
const HEARTBEAT_INTERVAL_MS = 30_000;

/**
 * A running media server, as {@link createMediaServer} resolves it: where clients connect, its
 * metrics, and `close()`.
 */
export interface MediaServer {
  /** `ws://host:port/path`, ready for kurento-client or @medley/media-client. */
  readonly url: string;
  /** The address it listens on, as given (`host` option; default `127.0.0.1`). */
  readonly host: string;
  /** The bound port (the real one when 0 was asked for). */
  readonly port: number;
  /** The WebSocket path clients connect to (`path` option; default `/kurento`). */
  readonly path: string;
  /** Live objects, ServerManager included (for tests and health checks). */
  readonly objectCount: number;
  /**
   * The server's `medley_*` Prometheus metrics, with `metricsPort` or `collectMetrics` (else
   * undefined): an application that embeds the server can serve them with its own, e.g.
   * `Registry.merge([appRegistry, server.metrics])`. Process metrics are not in it.
   */
  readonly metrics: Registry | undefined;
  /** The bound port of `GET /metrics` (the real one when 0 was asked for), when served. */
  readonly metricsPort: number | undefined;
  /** WHIP and WHEP on this server's port, with the `whip` option (else undefined). */
  readonly whip: WhipStatus | undefined;
  /** Closes every client connection and releases every object. */
  close(): Promise<void>;
}

function refuseUpgrade(
  socket: Duplex,
  status: number,
  reason: string,
  body: string,
  extraHeaders = '',
): void {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\n${extraHeaders}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function formatUrl(host: string, port: number, path: string, scheme = 'ws'): string {
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${shownHost}:${port}${path}`;
}

/**
 * Starts a media server speaking the Kurento Protocol over WebSocket. Resolves once it listens.
 *
 * ```ts
 * const server = await createMediaServer({ port: 0 });
 * // kurento-client(server.url) ...
 * await server.close();
 * ```
 */
export async function createMediaServer(options: MediaServerOptions = {}): Promise<MediaServer> {
  const settings = resolveOptions(options);
  const logger = options.logger ?? createJsonLogger(settings.logLevel);
  const registry = new ObjectRegistry([...builtinTypes, ...(options.elementTypes ?? [])]);
  const srtpWorkers =
    settings.sendWorkers > 0
      ? new SrtpWorkerPool(settings.sendWorkers, settings.nativeSrtp)
      : undefined;
  const iceUdpMux = await bindIceUdpMux(settings.ice.udpPort);
  const processing = new ProcessingPlane(settings.processing, logger);
  const httpEndpoints = new HttpEndpointRoutes();
  const context: ServerContext = {
    processing,
    httpEndpoints,
    registry,
    logger,
    ice: settings.ice,
    media: settings.media,
    srtpWorkers,
    nativeSrtp: settings.nativeSrtp,
    iceUdpMux,
    weriftSendPath: settings.sendPath === 'werift',
  };
  if (settings.nativeSrtpUnavailable) {
    logger.warn('media is sent by the JavaScript SRTP path (about 2x the CPU per packet)', {
      reason: settings.nativeSrtpUnavailable,
    });
  }
  const sessions = new SessionManager(registry, {
    gracePeriodMs: settings.sessionGracePeriodMs,
    logger,
  });
  const manager = new ServerManager(
    { type: ServerManagerType, context },
    { listSessions: () => sessions.ids, metadata: 'medley-media-server' },
  );
  registry.add(manager);
  const workerLoops = (srtpWorkers?.workers ?? []).map((worker) => ({
    name: `send worker ${worker.threadId}`,
    eventLoopUtilization: () => worker.performance.eventLoopUtilization(),
  }));
  const accessGate =
    settings.accessToken === undefined ? undefined : new AccessGate(settings.accessToken, logger);
  const admission = new AdmissionControl({
    maxLoad: settings.maxLoad,
    loops: () => workerLoops,
    processingLoad: () => processing.load,
  });
  const whip = settings.whip
    ? new WhipRouter({
        settings: settings.whip,
        context,
        admission,
        logger: logger.child({ component: 'whip' }),
        maxBodyBytes: settings.maxMessageBytes,
      })
    : undefined;
  const protocol = new KurentoProtocol({ registry, sessions, context, logger, admission });
  const connections = new Set<ClientConnection>();
  const metrics = settings.collectMetrics
    ? new MediaServerMetrics({
        objects: registry,
        sessions,
        connections: () => connections.size,
        processing,
        admission,
        loops: () => metricsLoops(srtpWorkers),
        mediaRoot: settings.media.root,
        iceUdpMux,
      })
    : undefined;

  const webSockets = new WebSocketServer({
    noServer: true,
    maxPayload: settings.maxMessageBytes * HARD_FRAME_LIMIT_FACTOR,
    perMessageDeflate: false,
  });
  const httpServer = createServer((request, response) => {
    // A liveness probe for orchestrators: no token needed, and nothing in it but "alive".
    if (request.method === 'GET' && request.url === '/healthz') {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      response.end('{"ok":true}\n');
      return;
    }
    if (httpEndpoints.handle(request, response)) return;
    // WHIP and WHEP share the port: a broadcaster opens one port for both protocols.
    if (whip?.handles(request.url)) {
      void whip.handle(request, response);
      return;
    }
    response.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket' });
    response.end(`Kurento Protocol endpoint: open a WebSocket to ${settings.path}\n`);
  });

  httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'ws://localhost');
    if (url.pathname !== settings.path && url.pathname !== `${settings.path}/`) {
      refuseUpgrade(
        socket,
        404,
        'Not Found',
        `No WebSocket endpoint at ${url.pathname}; use ${settings.path}\n`,
      );
      return;
    }
    const access = accessGate?.check(
      request.socket.remoteAddress ?? 'unknown',
      url.searchParams.get('access_token'),
    ) ?? { kind: 'allowed' };
    if (access.kind === 'refused') {
      refuseUpgrade(socket, 401, 'Unauthorized', 'Missing or wrong access_token\n');
      return;
    }
    if (access.kind === 'throttled') {
      refuseUpgrade(
        socket,
        429,
        'Too Many Requests',
        `Too many wrong access tokens from this address; retry in ${access.retryAfterSeconds} s\n`,
        `Retry-After: ${access.retryAfterSeconds}\r\n`,
      );
      return;
    }
    webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      const connectionLogger = logger.child({
        remote: `${request.socket.remoteAddress}:${request.socket.remotePort}`,
      });
      const connection = new ClientConnection(webSocket, {
        protocol,
        sessions,
        maxMessageBytes: settings.maxMessageBytes,
        logger: connectionLogger,
      });
      connections.add(connection);
      webSocket.on('close', () => connections.delete(connection));
      connectionLogger.info('client connected');
    });
  });

  const heartbeat = setInterval(() => {
    for (const connection of connections) connection.heartbeat();
  }, HEARTBEAT_INTERVAL_MS);
  heartbeat.unref();

  let metricsEndpoint: MetricsEndpoint | undefined;
  let closing: Promise<void> | undefined;
  const close = async () => {
    clearInterval(heartbeat);
    for (const connection of connections) connection.close(1001, 'media server shutting down');
    sessions.close();
    await whip?.close();
    admission.close();
    accessGate?.close();
    await srtpWorkers?.close();
    await Promise.all(registry.all().map((object) => object.release()));
    await iceUdpMux?.close();
    await processing.close();
    await metricsEndpoint?.close();
    metrics?.close();
    webSockets.close();
    await new Promise<void>((resolve) => {
      httpServer.close(() => resolve());
      httpServer.closeAllConnections();
    });
    logger.info('media server closed');
  };

  let port: number;
  try {
    port = await listen(httpServer, settings);
  } catch (error) {
    await iceUdpMux?.close(); // the one ICE port is free again for a retry
    throw error;
  }
  httpEndpoints.baseUrl = formatUrl(announcedHost(settings), port, '', 'http');
  if (metrics && settings.metricsPort !== undefined) {
    try {
      metricsEndpoint = await startMetricsEndpoint(
        [metrics.registry, processMetricsRegistry()],
        settings.host,
        settings.metricsPort,
        logger,
      );
    } catch (error) {
      await close();
      throw error;
    }
  }
  const url = formatUrl(settings.host, port, settings.path);
  const { turnUrl, ...ice } = settings.ice;
  // The TURN URL carries a password: log only where the relay is.
  const turnRelay = turnUrl?.slice(turnUrl.lastIndexOf('@') + 1);
  logger.info('media server listening', {
    url,
    ice: { ...ice, turnRelay },
    sendPath: settings.sendPath,
    sendWorkers: settings.sendWorkers,
    ...(whip ? { whip: formatUrl(settings.host, port, '/whip/{stream}', 'http') } : {}),
    ...(metricsEndpoint
      ? { metrics: formatUrl(settings.host, metricsEndpoint.port, METRICS_PATH, 'http') }
      : {}),
  });

  return {
    url,
    host: settings.host,
    port,
    path: settings.path,
    get objectCount() {
      return registry.size;
    },
    metrics: metrics?.registry,
    metricsPort: metricsEndpoint?.port,
    whip: whip && whipStatus(whip.sessions, formatUrl(settings.host, port, '', 'http')),
    close: () => {
      closing ??= close();
      return closing;
    },
  };
}

/** The event loops that carry media, named for the metrics' `loop` label. */
function metricsLoops(srtpWorkers: SrtpWorkerPool | undefined): MediaLoop[] {
  return [
    { name: 'main', eventLoopUtilization: () => performance.eventLoopUtilization() },
    ...(srtpWorkers?.workers ?? []).map((worker, index) => ({
      name: `send-worker-${index}`,
      eventLoopUtilization: () => worker.performance.eventLoopUtilization(),
    })),
  ];
}

/**
 * The host HTTP endpoint URLs name: the listening address, or for a wildcard listener the
 * external IPv4 when configured, else the first non-internal IPv4 (as Kurento picks one).
 */
function announcedHost(settings: ResolvedOptions): string {
  if (settings.host !== '0.0.0.0' && settings.host !== '::') return settings.host;
  if (settings.ice.externalIPv4) return settings.ice.externalIPv4;
  const addresses = Object.values(networkInterfaces()).flatMap((entries) => entries ?? []);
  return (
    addresses.find((entry) => entry.family === 'IPv4' && !entry.internal)?.address ?? '127.0.0.1'
  );
}

function listen(server: Server, settings: ResolvedOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** The shared ICE socket of `--ice-udp-port`; a port that cannot be bound stops the start-up. */
async function bindIceUdpMux(port: number | undefined): Promise<IceUdpMux | undefined> {
  if (port === undefined) return undefined;
  try {
    return await IceUdpMux.bind({ port });
  } catch (error) {
    throw new ConfigurationError(error instanceof Error ? error.message : String(error));
  }
}

import { copyFile, mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createMediaServer, type MediaServer } from '@medley/media-server';
import { clusterOverRedis } from '@medley/signaling/server';
import { Server as SocketIoServer } from 'socket.io';
import { WebSocketServer } from 'ws';
import { RecordingLibrary } from './calls/RecordingLibrary.js';
import type { DemoConfig } from './config.js';
import { DemoMedia } from './DemoMedia.js';
import { describeError } from './describeError.js';
import type { Logger } from './logger.js';
import { DemoMetrics } from './metrics/DemoMetrics.js';
import { type MetricsEndpoint, startMetricsEndpoint } from './metrics/MetricsEndpoint.js';
import {
  MAGIC_MIRROR_HAT_URI,
  serveFilterLoopbackSignaling,
} from './routes/filterLoopbackSignaling.js';
import { serveGroupCallSignaling } from './routes/groupCallSignaling.js';
import { serveKurentoHelloWorld } from './routes/kurentoHelloWorld.js';
import { serveLoopbackSignaling } from './routes/loopbackSignaling.js';
import { serveMcuRoomSignaling } from './routes/mcuRoomSignaling.js';
import { serveOneToManySignaling } from './routes/oneToManySignaling.js';
import { serveRecorderSignaling } from './routes/recorderSignaling.js';
import { serveRecording } from './routes/recordingDownloads.js';
import { isWhipRequest, proxyWhip } from './routes/whipProxy.js';
import { type StaticMount, serveStatic } from './StaticFiles.js';

export interface DemoAppServer {
  /** `http://host:port` of the demo pages. */
  readonly url: string;
  /** The Kurento-Protocol URLs the demos use (the embedded server's, or MEDIA_SERVER_URL(S)). */
  readonly mediaServerUrls: readonly string[];
  /** `http://host:port/metrics`, with METRICS_PORT. */
  readonly metricsUrl: string | undefined;
  close(): Promise<void>;
}

// Compiled to demos/dist/server/: the demos folder is two levels up.
const demosFolder = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const packagesFolder = join(demosFolder, '..', 'packages');

/** Browser bundles the pages load with plain script tags, under /lib/. */
const defaultMediaRoot = join(demosFolder, '..', 'recordings');
const recordingsUrlPrefix = '/recordings/';

const staticMounts: StaticMount[] = [
  { urlPrefix: '/lib/', folder: join(packagesFolder, 'webrtc-peer', 'dist') },
  { urlPrefix: '/lib/', folder: join(packagesFolder, 'signaling', 'dist') },
  { urlPrefix: '/react/', folder: join(demosFolder, 'react-loopback', 'dist') },
  { urlPrefix: '/vue/', folder: join(demosFolder, 'vue-loopback', 'dist') },
  { urlPrefix: '/', folder: join(demosFolder, 'public') },
];

/**
 * The one app server of the demos: pages, socket.io signaling, the Kurento tutorial WebSocket,
 * and, unless `mediaServerUrls` names other Kurento-Protocol servers, an embedded media server.
 * It talks to the media servers only through @medley/media-client (a pool of them: see DemoMedia).
 */
export async function startDemoAppServer(config: DemoConfig, log: Logger): Promise<DemoAppServer> {
  const mediaRoot = resolve(config.mediaRoot ?? defaultMediaRoot);
  let embedded: MediaServer | undefined;
  if (!config.mediaServerUrls) {
    embedded = await createMediaServer({
      port: config.embeddedMediaServer.port,
      accessToken: config.embeddedMediaServer.accessToken,
      logLevel: config.logLevel,
      mediaRoot,
      collectMetrics: config.metricsPort !== undefined,
      // WHIP and WHEP reach it through this server's /whip/ and /whep/ (see whipProxy).
      whip: config.whipToken === undefined ? true : { token: config.whipToken },
    });
    log.info('embedded media server started', { url: embedded.url });
  }
  const mediaServerUrls = config.mediaServerUrls ?? [(embedded as MediaServer).url];
  const library = new RecordingLibrary(mediaRoot, recordingsUrlPrefix);
  // The magic mirror's hat is read by the media server from its media root.
  await mkdir(dirname(join(mediaRoot, MAGIC_MIRROR_HAT_URI)), { recursive: true });
  await copyFile(
    join(demosFolder, 'public', 'magic-mirror', 'hat.png'),
    join(mediaRoot, MAGIC_MIRROR_HAT_URI),
  );
  let media: DemoMedia;
  try {
    media = await DemoMedia.connect(
      embedded
        ? [
            `${embedded.url}?access_token=${encodeURIComponent(config.embeddedMediaServer.accessToken)}`,
          ]
        : mediaServerUrls,
      log,
    );
  } catch (error) {
    await embedded?.close();
    throw error;
  }

  const metrics = config.metricsPort === undefined ? undefined : new DemoMetrics();
  const httpServer = createServer((request, response) => {
    metrics?.http.watch(response);
    route(request, response).catch((error: unknown) => {
      log.error('request failed', { url: request.url, error: describeError(error) });
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  });
  const route = async (request: IncomingMessage, response: ServerResponse) => {
    const pathname = requestPath(request);
    if (pathname === undefined) {
      response.writeHead(400, { 'content-type': 'text/plain' });
      response.end('Bad request: the URL has a malformed %-escape\n');
      return;
    }
    if (pathname === '/healthz') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ok: true }));
      return;
    }
    if (isWhipRequest(request, pathname)) {
      proxyWhip(request, response, embedded?.whip?.baseUrl, log);
      return;
    }
    if (pathname.startsWith(recordingsUrlPrefix)) {
      await serveRecording(library, pathname.slice(recordingsUrlPrefix.length), response);
      return;
    }
    if (await serveStatic(staticMounts, pathname, response)) return;
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('Not found');
  };

  // One socket.io server, one namespace per demo: `/` loopback, `/one2many`, `/group-call`,
  // `/mcu-room`, `/recorder`, `/magic-mirror`, `/qr`.
  // Medley sessions resume through its connection-state recovery, so middlewares must run on it.
  const io = new SocketIoServer(httpServer, {
    connectionStateRecovery: {
      maxDisconnectionDuration: config.sessionGraceMs,
      skipMiddlewares: false,
    },
  });
  // With REDIS_URL, every demo's sessions, rooms and broadcasts span the app servers sharing it.
  const cluster =
    config.redisUrl === undefined
      ? undefined
      : clusterOverRedis(io, {
          url: config.redisUrl,
          log: { info: (message) => log.info(message), warn: (message) => log.warn(message) },
        });
  if (cluster)
    log.info('sharing signaling through Redis', { url: redactedRedisUrl(config.redisUrl) });
  const signaling = {
    loopback: serveLoopbackSignaling(io, media, log, config.sessionGraceMs),
    oneToMany: serveOneToManySignaling(io, media, log, {
      sessionGracePeriod: config.sessionGraceMs,
      viewersPerMediaServer: config.viewersPerMediaServer,
    }),
    groupCall: serveGroupCallSignaling(io, media, log, config.sessionGraceMs),
    mcuRoom: serveMcuRoomSignaling(io, media, log, config.sessionGraceMs),
    recorder: serveRecorderSignaling(io, media, library, log, config.sessionGraceMs),
    magicMirror: serveFilterLoopbackSignaling(
      io,
      media,
      log,
      config.sessionGraceMs,
      'magic-mirror',
    ),
    qr: serveFilterLoopbackSignaling(io, media, log, config.sessionGraceMs, 'qr'),
  };
  const signalingServers = Object.values(signaling);
  const helloWorldSockets = new WebSocketServer({ noServer: true });
  metrics?.watch({ ...signaling, helloWorld: helloWorldSockets }, embedded?.metrics);
  httpServer.on('upgrade', (request, socket, head) => {
    if (new URL(request.url ?? '/', 'http://localhost').pathname !== '/helloworld') return;
    helloWorldSockets.handleUpgrade(request, socket, head, (webSocket) =>
      serveKurentoHelloWorld(webSocket, media, log),
    );
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, resolve);
  });
  const { port } = httpServer.address() as AddressInfo;
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${shownHost}:${port}`;

  let metricsEndpoint: MetricsEndpoint | undefined;
  const close = async () => {
    for (const webSocket of helloWorldSockets.clients) webSocket.terminate();
    await Promise.all(signalingServers.map((server) => server.close()));
    await io.close();
    await cluster?.close();
    await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    await metricsEndpoint?.close();
    media.close();
    await embedded?.close();
  };
  if (metrics && config.metricsPort !== undefined) {
    try {
      metricsEndpoint = await startMetricsEndpoint(
        metrics.registry,
        config.host,
        config.metricsPort,
        log,
      );
    } catch (error) {
      await close();
      throw error;
    }
  }
  const metricsUrl = metricsEndpoint && `http://${shownHost}:${metricsEndpoint.port}/metrics`;
  if (metricsUrl) log.info('Prometheus metrics served', { url: metricsUrl });

  return { url, mediaServerUrls, metricsUrl, close };
}

/** A Redis URL as logs may show it: without its password. */
function redactedRedisUrl(url: string | undefined): string | undefined {
  return url?.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:…@');
}

/** The decoded path of a request, or undefined when its %-escapes are malformed. */
function requestPath(request: IncomingMessage): string | undefined {
  try {
    return decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
  } catch {
    return undefined;
  }
}

import { randomBytes } from 'node:crypto';
import type { LogLevel } from './logger.js';

/** What the demo app server reads from its environment (see README). */
export interface DemoConfig {
  /** HTTP port of the demo pages and socket.io (PORT, default 8080). */
  port: number;
  /** Interface to listen on (HOST, default 127.0.0.1: demos are not exposed unless asked). */
  host: string;
  /**
   * The Kurento-Protocol media servers to use: one (MEDIA_SERVER_URL, e.g.
   * ws://kms:8888/kurento) or several, comma-separated (MEDIA_SERVER_URLS), each new call, room
   * or broadcast going to the least loaded one that is up. Unset: the app server embeds a Medley
   * media server on a free loopback port.
   */
  mediaServerUrls: string[] | undefined;
  /**
   * How long a page that lost its signaling connection keeps its call (SESSION_GRACE_MS, default
   * 30 s): a reload or a network blip within it resumes; after it the call's pipeline is released.
   */
  sessionGraceMs: number;
  /**
   * Where recordings go (MEDIA_ROOT, default ./recordings at the repository root): the embedded
   * media server's media root, listed and served for download by the recorder demo. With
   * MEDIA_SERVER_URL, point it at the same folder as that server's media root, if shared.
   */
  mediaRoot: string | undefined;
  /**
   * The embedded media server (without MEDIA_SERVER_URL): its loopback port
   * (EMBEDDED_MEDIA_SERVER_PORT, default 0: a free one) and the access token it requires
   * (EMBEDDED_MEDIA_SERVER_TOKEN, default a random one made at start), so that no web page on
   * this machine can drive it. Neither is published by the app server.
   */
  embeddedMediaServer: { port: number; accessToken: string };
  /**
   * The bearer token WHIP and WHEP clients must send (WHIP_TOKEN; unset: none). The embedded
   * media server serves WHIP and WHEP, which this app server forwards from its own /whip/ and
   * /whep/ (the WHIP demo page, OBS, ffmpeg); without a token anyone who reaches HOST:PORT may
   * publish and play, as anyone may use the other demos.
   */
  whipToken: string | undefined;
  /**
   * Port of a Prometheus endpoint (METRICS_PORT; unset: none), on HOST like the pages but apart
   * from them, so it can stay behind a firewall that lets the pages through. It serves the app
   * server's metrics and, when embedded, the media server's.
   */
  metricsPort: number | undefined;
  /**
   * A Redis server shared with other app servers (REDIS_URL, e.g. redis://127.0.0.1:6379):
   * signaling sessions, rooms and broadcasts then span every app server using it, and a page that
   * reconnects to another one resumes its session there. Unset: this process alone, in memory.
   */
  redisUrl: string | undefined;
  /**
   * With several media servers: viewers of a one-to-many broadcast one media server takes before
   * the broadcast continues on the least loaded other one, over a server-to-server link
   * (ONE2MANY_VIEWERS_PER_SERVER; unset: no cap, only a server refusing new endpoints moves it on).
   */
  viewersPerMediaServer: number;
  logLevel: LogLevel;
}

export function readDemoConfig(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number, got "${env.PORT}".`);
  }
  const sessionGraceMs = Number(env.SESSION_GRACE_MS ?? 30_000);
  if (!Number.isFinite(sessionGraceMs) || sessionGraceMs < 0) {
    throw new Error(
      `SESSION_GRACE_MS must be a number of milliseconds, got "${env.SESSION_GRACE_MS}".`,
    );
  }
  const embeddedPort = Number(env.EMBEDDED_MEDIA_SERVER_PORT ?? 0);
  if (!Number.isInteger(embeddedPort) || embeddedPort < 0 || embeddedPort > 65535) {
    throw new Error(
      `EMBEDDED_MEDIA_SERVER_PORT must be a port number, got "${env.EMBEDDED_MEDIA_SERVER_PORT}".`,
    );
  }
  const metricsPort = env.METRICS_PORT ? Number(env.METRICS_PORT) : undefined;
  if (
    metricsPort !== undefined &&
    !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort <= 65535)
  ) {
    throw new Error(
      `METRICS_PORT must be a port number (0: a free one), got "${env.METRICS_PORT}".`,
    );
  }
  if (env.MEDIA_SERVER_URL && env.MEDIA_SERVER_URLS) {
    throw new Error(
      'Set MEDIA_SERVER_URL (one media server) or MEDIA_SERVER_URLS (several), not both.',
    );
  }
  const mediaServerUrls = (env.MEDIA_SERVER_URLS || env.MEDIA_SERVER_URL || '')
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url.length > 0);
  for (const url of mediaServerUrls) {
    if (!/^wss?:\/\/[^/\s]+/.test(url)) {
      throw new Error(
        `Media server URLs are ws:// or wss:// URLs (e.g. ws://127.0.0.1:8888/kurento), got "${url}".`,
      );
    }
  }
  const whipToken = env.WHIP_TOKEN || undefined;
  if (whipToken !== undefined && !/^[\x21-\x7e]+$/.test(whipToken)) {
    throw new Error(
      'WHIP_TOKEN must be printable ASCII without spaces (it travels as "Authorization: Bearer <token>").',
    );
  }
  const redisUrl = env.REDIS_URL || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\/[^\s]+$/.test(redisUrl)) {
    throw new Error(
      `REDIS_URL must be a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379), got "${redisUrl}".`,
    );
  }
  const viewersPerMediaServer = env.ONE2MANY_VIEWERS_PER_SERVER
    ? Number(env.ONE2MANY_VIEWERS_PER_SERVER)
    : Number.POSITIVE_INFINITY;
  if (
    !(Number.isInteger(viewersPerMediaServer) && viewersPerMediaServer > 0) &&
    viewersPerMediaServer !== Number.POSITIVE_INFINITY
  ) {
    throw new Error(
      `ONE2MANY_VIEWERS_PER_SERVER must be a whole number of viewers > 0, got "${env.ONE2MANY_VIEWERS_PER_SERVER}".`,
    );
  }
  const logLevel = (env.LOG_LEVEL ?? 'info') as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new Error(`LOG_LEVEL must be debug, info, warn or error, got "${env.LOG_LEVEL}".`);
  }
  return {
    port,
    host: env.HOST ?? '127.0.0.1',
    mediaServerUrls: mediaServerUrls.length > 0 ? mediaServerUrls : undefined,
    mediaRoot: env.MEDIA_ROOT || undefined,
    embeddedMediaServer: {
      port: embeddedPort,
      accessToken: env.EMBEDDED_MEDIA_SERVER_TOKEN || randomBytes(24).toString('hex'),
    },
    whipToken,
    sessionGraceMs,
    metricsPort,
    redisUrl,
    viewersPerMediaServer,
    logLevel,
  };
}

import { Redis, type RedisOptions } from 'ioredis';

/** Where the signaling server writes what happens to its Redis connection. */
export interface RedisConnectionLog {
  /** The connection is (back) up. */
  info(message: string): void;
  /** The connection was lost or a Redis command failed; the server keeps serving locally. */
  warn(message: string): void;
}

/**
 * Runs the signaling server as one of several app servers that share sessions and rooms through
 * Redis: the `redis` option of {@link SignalingServerOptions}, and {@link clusterOverRedis}.
 */
export interface SignalingRedisOptions {
  /** The Redis server, e.g. `redis://127.0.0.1:6379` (`rediss://` for TLS, `/2` for a database). */
  url: string;
  /**
   * Prefix of the keys and channels the signaling servers use. Default `medley:signaling`;
   * app servers that must not see each other's sessions on one Redis use different prefixes.
   */
  keyPrefix?: string;
  /**
   * Where the lines about the Redis connection go (lost, back, a command that failed).
   * Default: console.info and console.warn.
   */
  log?: RedisConnectionLog;
}

/** The default log: one line per change, prefixed with the package's name. */
export const consoleRedisLog: RedisConnectionLog = {
  info: (message) => console.info(`@medley/signaling server: ${message}`),
  warn: (message) => console.warn(`@medley/signaling server: ${message}`),
};

/**
 * Retries forever, at most a second apart: an app server outlives a Redis restart and catches up
 * when Redis is back.
 */
const reconnectDelayMs = (attempt: number): number => Math.min(attempt * 100, 1_000);

/**
 * A Redis connection that never makes a caller wait for an outage: while Redis is unreachable,
 * commands fail at once (offline queue off) instead of piling up; ioredis keeps reconnecting.
 */
export function failFastRedis(url: string, overrides: Partial<RedisOptions> = {}): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: reconnectDelayMs,
    lazyConnect: true,
    ...overrides,
  });
}

/** Options of a connection that waits for Redis to come back (subscribers, blocking readers). */
export const patientRedisOptions: Partial<RedisOptions> = {
  enableOfflineQueue: true,
  maxRetriesPerRequest: null,
  lazyConnect: false,
  retryStrategy: reconnectDelayMs,
};

/**
 * Logs the state changes of `redis` on `log` as `what`: one line when it is lost, one when it is
 * back; ioredis's own error events (one per failed reconnection) are folded into them.
 */
export function watchRedisConnection(
  redis: Redis,
  what: string,
  url: string,
  log: RedisConnectionLog,
): void {
  let lost = false;
  let lastError = '';
  const shownUrl = redactedUrl(url);
  redis.on('error', (error: Error) => {
    lastError = error.message;
  });
  redis.on('close', () => {
    if (lost || redis.status === 'end') return;
    lost = true;
    log.warn(
      `${what} lost its connection to Redis at ${shownUrl}${lastError ? ` (${lastError})` : ''}; ` +
        'serving this app server only until Redis is back, retrying every second',
    );
  });
  redis.on('ready', () => {
    if (!lost) return;
    lost = false;
    lastError = '';
    log.info(`${what} is connected to Redis at ${shownUrl} again`);
  });
}

/** `url` without its password, for log lines. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an unparsable Redis URL';
  }
}

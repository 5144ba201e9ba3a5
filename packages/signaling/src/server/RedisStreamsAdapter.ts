import { createAdapter, type RedisStreamsAdapterOptions } from '@socket.io/redis-streams-adapter';
import type { Redis, RedisOptions } from 'ioredis';
import type { ServerOptions } from 'socket.io';
import {
  consoleRedisLog,
  failFastRedis,
  patientRedisOptions,
  type RedisConnectionLog,
  watchRedisConnection,
} from './RedisOptions.js';

/** A socket.io adapter on Redis streams, and the connections it holds. */
export interface RedisAdapterHandle {
  /** Pass it as the socket.io Server's `adapter` option, or to `io.adapter()`. */
  readonly adapter: NonNullable<ServerOptions['adapter']>;
  /** Closes the adapter's Redis connections; call it after the socket.io Server's close(). */
  close(): Promise<void>;
}

/** Options of {@link createRedisStreamsAdapter}. */
export interface RedisStreamsAdapterSettings {
  /** The Redis server, e.g. `redis://127.0.0.1:6379`. */
  url: string;
  /** Where the lines about the Redis connection go. Default: console.info and console.warn. */
  log?: RedisConnectionLog;
  /**
   * Options of `@socket.io/redis-streams-adapter` (stream name, maxLen...). Its defaults suit
   * one cluster per Redis database.
   */
  adapterOptions?: RedisStreamsAdapterOptions;
}

/**
 * socket.io's Redis streams adapter (`@socket.io/redis-streams-adapter`) for a socket.io Server
 * shared by several app servers: `io.to(room).emit()` reaches sockets on every app server, and
 * socket.io's connection state recovery works when a client reconnects to another app server
 * (the packets it missed are read back from the Redis stream). {@link SignalingServer} installs
 * it itself when it creates the socket.io Server with the `redis` option; an application that
 * creates its own Server passes this adapter to it.
 *
 * Redis outages never stop the app server: emits are delivered to local sockets at once (without
 * a recovery offset) while Redis is down, and the adapter's readers resume when it is back.
 *
 * ```ts
 * const redis = createRedisStreamsAdapter({ url: process.env.REDIS_URL });
 * const io = new Server(httpServer, { adapter: redis.adapter, connectionStateRecovery: {...} });
 * // on shutdown: await io.close(); await redis.close();
 * ```
 */
export function createRedisStreamsAdapter(
  settings: RedisStreamsAdapterSettings,
): RedisAdapterHandle {
  const log = settings.log ?? consoleRedisLog;
  const connections: Redis[] = [];
  const state = { closed: false };
  // Publishing fails at once while Redis is down, so that emits are not held back; the copies the
  // adapter makes for its blocking stream reads and its subscriptions wait for Redis instead.
  const publisher = failFastRedis(settings.url, { lazyConnect: false });
  watchRedisConnection(publisher, 'the socket.io adapter', settings.url, log);
  connections.push(publisher);
  const adapter = createAdapter(guarded(publisher, connections, state), settings.adapterOptions);
  return {
    adapter,
    async close() {
      state.closed = true;
      for (const connection of connections) connection.disconnect();
    },
  };
}

/**
 * `redis` as the adapter gets it. The adapter fires some commands without waiting for them
 * (persisting a session, publishing): their failure during an outage must not become an
 * unhandled rejection, which would end the process. Once closed, commands never settle, so the
 * adapter's read loop stops instead of spinning on a closed connection.
 */
function guarded(redis: Redis, connections: Redis[], state: { closed: boolean }): Redis {
  return new Proxy(redis, {
    get(target, property) {
      if (property === 'duplicate') {
        return (override?: Partial<RedisOptions>) => {
          const copy = target.duplicate({ ...patientRedisOptions, ...override });
          copy.on('error', () => undefined);
          connections.push(copy);
          if (state.closed) copy.disconnect();
          return guarded(copy, connections, state);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (state.closed) return new Promise(() => undefined);
        const result: unknown = value.apply(target, args);
        if (result instanceof Promise) result.catch(() => undefined);
        return result === target ? guarded(target, connections, state) : result;
      };
    },
  });
}

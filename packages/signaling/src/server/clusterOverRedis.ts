import type { Server } from 'socket.io';
import type { SignalingRedisOptions } from './RedisOptions.js';
import { createRedisStreamsAdapter, type RedisAdapterHandle } from './RedisStreamsAdapter.js';

const clusteredServers = new WeakMap<Server, SignalingRedisOptions>();

/**
 * Makes a socket.io Server the application created part of a cluster of app servers sharing one
 * Redis: it gets socket.io's Redis streams adapter, and every {@link SignalingServer} made on it
 * afterwards (without a `redis` option of its own) behaves as with `redis: options`. Call it
 * before creating the signaling servers; close the handle after `io.close()`.
 *
 * ```ts
 * const io = new Server(httpServer, { connectionStateRecovery: { skipMiddlewares: false } });
 * const cluster = clusterOverRedis(io, { url: process.env.REDIS_URL });
 * const chat = new SignalingServer({ io, namespace: '/chat', schemas });
 * // on shutdown: await chat.close(); await io.close(); await cluster.close();
 * ```
 */
export function clusterOverRedis(io: Server, options: SignalingRedisOptions): RedisAdapterHandle {
  const handle = createRedisStreamsAdapter({ url: options.url, log: options.log });
  io.adapter(handle.adapter);
  clusteredServers.set(io, options);
  return handle;
}

/** The Redis options `clusterOverRedis` gave `io`, if any. */
export function clusterOptionsOf(io: Server): SignalingRedisOptions | undefined {
  return clusteredServers.get(io);
}

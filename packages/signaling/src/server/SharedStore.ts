import { messageOf, SignalingError } from '../errors.js';
import type { RedisCluster } from './RedisCluster.js';

/**
 * Application state every app server of a signaling namespace sees: what one app server holds
 * that another needs to find (a broadcast's media pipeline, a room's media server). Values are
 * JSON. With `redis` it lives in Redis and outlives the app servers (delete what you set);
 * without, in this process's memory.
 */
export interface SharedStore {
  /** The value under `key`, undefined if none. */
  get(key: string): Promise<unknown>;
  /** Stores `value` under `key`, replacing what was there. */
  set(key: string, value: unknown): Promise<void>;
  /**
   * Stores `value` under `key` only if nothing is there, atomically across app servers: of two
   * servers claiming the same key at once, one resolves true and the other false.
   */
  setIfAbsent(key: string, value: unknown): Promise<boolean>;
  /** Removes `key` (nothing happens if it is absent). */
  delete(key: string): Promise<void>;
}

/** The store of a signaling server without Redis: a map, copied through JSON like Redis would. */
export class MemoryStore implements SharedStore {
  readonly #values = new Map<string, string>();

  async get(key: string): Promise<unknown> {
    const text = this.#values.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  }

  async set(key: string, value: unknown): Promise<void> {
    this.#values.set(key, JSON.stringify(value));
  }

  async setIfAbsent(key: string, value: unknown): Promise<boolean> {
    if (this.#values.has(key)) return false;
    this.#values.set(key, JSON.stringify(value));
    return true;
  }

  async delete(key: string): Promise<void> {
    this.#values.delete(key);
  }
}

/** The store of a signaling server in a Redis cluster; fails with `UNAVAILABLE` during an outage. */
export class RedisStore implements SharedStore {
  readonly #cluster: RedisCluster;

  constructor(cluster: RedisCluster) {
    this.#cluster = cluster;
  }

  get(key: string): Promise<unknown> {
    return unavailableIfFails(() => this.#cluster.getValue(key), `reading "${key}"`);
  }

  set(key: string, value: unknown): Promise<void> {
    return unavailableIfFails(() => this.#cluster.setValue(key, value), `writing "${key}"`);
  }

  setIfAbsent(key: string, value: unknown): Promise<boolean> {
    return unavailableIfFails(
      () => this.#cluster.setValueIfAbsent(key, value),
      `claiming "${key}"`,
    );
  }

  delete(key: string): Promise<void> {
    return unavailableIfFails(() => this.#cluster.deleteValue(key), `deleting "${key}"`);
  }
}

async function unavailableIfFails<T>(operation: () => Promise<T>, what: string): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw new SignalingError(
      'UNAVAILABLE',
      `the shared store (Redis) failed ${what}: ${messageOf(error)}; try again once Redis is back`,
      { cause: error },
    );
  }
}

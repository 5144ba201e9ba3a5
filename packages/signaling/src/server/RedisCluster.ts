import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { messageOf } from '../errors.js';
import {
  consoleRedisLog,
  patientRedisOptions,
  type RedisConnectionLog,
  redactedUrl,
  type SignalingRedisOptions,
  watchRedisConnection,
} from './RedisOptions.js';

/** What of a session another app server can take over: JSON only, never live objects. */
export interface SharedSessionState {
  /** `session.data` through JSON (undefined when it could not be serialised). */
  data: unknown;
  /** The rooms the session is in. */
  rooms: string[];
}

/** A session taken over from another app server. */
export interface ClaimedSession {
  /** The app server that held it (its id; empty if unknown). */
  previousOwner: string;
  state: SharedSessionState;
}

/** Messages between the app servers of one namespace, on one Redis channel. */
export type ClusterMessage =
  | {
      kind: 'room';
      from: string;
      room: string;
      event: string;
      payload: unknown;
      /** A session that must not receive it. */
      except?: string;
    }
  | { kind: 'direct'; from: string; to: string; event: string; payload: unknown }
  /** Session `id` now lives on app server `to`: any other copy ends. */
  | { kind: 'moved'; from: string; id: string; to: string };

// Claims a session for ARGV[1]: returns {previous owner, state} and keeps the key for ARGV[2]
// ms, or nil when the session is not registered (expired, ended, or never was).
const claimScript = `
if redis.call('EXISTS', KEYS[1]) == 0 then return nil end
local previous = redis.call('HGET', KEYS[1], 'owner') or ''
local state = redis.call('HGET', KEYS[1], 'state') or ''
redis.call('HSET', KEYS[1], 'owner', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {previous, state}`;

// Writes the state of a session this server owns (or that nobody owns), for ARGV[3] ms; returns
// 0 when another server has taken it over.
const saveScript = `
local owner = redis.call('HGET', KEYS[1], 'owner')
if owner and owner ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'owner', ARGV[1], 'state', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`;

// Deletes the session only if this server still owns it.
const removeScript = `
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

interface ClusterCommands {
  claimSession(key: string, owner: string, ttlMs: number): Promise<[string, string] | null>;
  saveSession(key: string, owner: string, state: string, ttlMs: number): Promise<number>;
  removeSession(key: string, owner: string): Promise<number>;
}

/**
 * The Redis side of one signaling namespace: the session registry (one hash per session, expiring
 * a grace period after its last write) and a channel carrying room broadcasts, direct messages
 * and take-over notices between app servers. Every failure is logged and swallowed: without
 * Redis the server goes on serving its own clients.
 */
export class RedisCluster {
  /** This app server's id in the cluster. */
  readonly serverId = randomUUID();
  readonly #commands: Redis & ClusterCommands;
  readonly #subscriber: Redis;
  readonly #keyPrefix: string;
  readonly #valuePrefix: string;
  readonly #channel: string;
  readonly #gracePeriodMs: number;
  readonly #log: RedisConnectionLog;
  readonly #url: string;
  #closed = false;
  /** Set while Redis fails, so that an outage is one log line, not one per command. */
  #failing = false;

  constructor(
    options: SignalingRedisOptions,
    namespace: string,
    gracePeriodMs: number,
    onMessage: (message: ClusterMessage) => void,
  ) {
    this.#url = options.url;
    this.#log = options.log ?? consoleRedisLog;
    this.#gracePeriodMs = gracePeriodMs;
    const prefix = `${options.keyPrefix ?? 'medley:signaling'}:${namespace}`;
    this.#keyPrefix = `${prefix}:session:`;
    this.#valuePrefix = `${prefix}:value:`;
    this.#channel = `${prefix}:messages`;
    // The offline queue holds commands while the first connection opens; after that, a command
    // made during an outage fails at the next failed reconnection attempt (maxRetriesPerRequest 0).
    const commands = new Redis(options.url, {
      ...patientRedisOptions,
      maxRetriesPerRequest: 0,
    }) as Redis & ClusterCommands;
    commands.defineCommand('claimSession', { numberOfKeys: 1, lua: claimScript });
    commands.defineCommand('saveSession', { numberOfKeys: 1, lua: saveScript });
    commands.defineCommand('removeSession', { numberOfKeys: 1, lua: removeScript });
    this.#commands = commands;
    watchRedisConnection(commands, `signaling namespace ${namespace}`, options.url, this.#log);
    commands.on('ready', () => {
      this.#failing = false;
    });
    this.#subscriber = commands.duplicate(patientRedisOptions);
    this.#subscriber.on('error', () => undefined);
    this.#subscriber.on('message', (channel: string, text: string) => {
      if (channel !== this.#channel) return;
      const message = parseMessage(text);
      if (message && message.from !== this.serverId) onMessage(message);
    });
    this.#subscriber.subscribe(this.#channel).catch((error: unknown) => {
      this.#failed('subscribing to the cluster channel', error);
    });
  }

  /** Resolves once both connections are up (the server works before, but alone). */
  async ready(): Promise<void> {
    const up = (redis: Redis) =>
      redis.status === 'ready'
        ? Promise.resolve()
        : new Promise<void>((resolve) => redis.once('ready', () => resolve()));
    await Promise.all([up(this.#commands), up(this.#subscriber)]);
  }

  /**
   * Takes session `id` over from whichever app server holds it. Undefined when Redis does not
   * know it, or cannot be reached (logged).
   */
  async claim(id: string): Promise<ClaimedSession | undefined> {
    try {
      const found = await this.#commands.claimSession(
        this.#key(id),
        this.serverId,
        this.#gracePeriodMs,
      );
      if (!found) return undefined;
      const [previousOwner, state] = found;
      return { previousOwner, state: parseState(state) };
    } catch (error) {
      this.#failed(`looking up session ${id} (it opens as a new session)`, error);
      return undefined;
    }
  }

  /**
   * Writes the state of a session this server holds, to expire a grace period from now. Resolves
   * false when another app server has taken the session over.
   */
  async save(id: string, state: SharedSessionState): Promise<boolean> {
    try {
      const saved = await this.#commands.saveSession(
        this.#key(id),
        this.serverId,
        JSON.stringify(state),
        this.#gracePeriodMs,
      );
      return saved === 1;
    } catch (error) {
      this.#failed(`saving session ${id}`, error);
      return true;
    }
  }

  /** Forgets an ended session, unless another app server holds it now. */
  async remove(id: string): Promise<void> {
    try {
      await this.#commands.removeSession(this.#key(id), this.serverId);
    } catch (error) {
      this.#failed(`removing session ${id}`, error);
    }
  }

  /** The JSON value under `key` (undefined if none); rejects when Redis cannot be reached. */
  async getValue(key: string): Promise<unknown> {
    const text = await this.#commands.get(this.#valuePrefix + key);
    return text === null ? undefined : (JSON.parse(text) as unknown);
  }

  /** Stores `value` (JSON) under `key`; rejects when Redis cannot be reached. */
  async setValue(key: string, value: unknown): Promise<void> {
    await this.#commands.set(this.#valuePrefix + key, JSON.stringify(value));
  }

  /** Stores `value` under `key` unless a value is there (SET NX); true when it stored it. */
  async setValueIfAbsent(key: string, value: unknown): Promise<boolean> {
    const stored = await this.#commands.set(this.#valuePrefix + key, JSON.stringify(value), 'NX');
    return stored === 'OK';
  }

  /** Removes `key`; rejects when Redis cannot be reached. */
  async deleteValue(key: string): Promise<void> {
    await this.#commands.del(this.#valuePrefix + key);
  }

  /** Sends `message` to the other app servers of the namespace. */
  publish(message: DistributiveOmit<ClusterMessage, 'from'>): void {
    let text: string;
    try {
      text = JSON.stringify({ ...message, from: this.serverId });
    } catch (error) {
      this.#failed(`sending a ${message.kind} message`, error);
      return;
    }
    this.#commands.publish(this.#channel, text).catch((error: unknown) => {
      this.#failed(`sending a ${message.kind} message to the other app servers`, error);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([quit(this.#commands), quit(this.#subscriber)]);
  }

  #key(id: string): string {
    return this.#keyPrefix + id;
  }

  #failed(what: string, error: unknown): void {
    if (this.#closed || this.#failing) return;
    this.#failing = true;
    this.#log.warn(
      `Redis at ${redactedUrl(this.#url)} failed ${what}: ${messageOf(error)}; ` +
        'further failures are not logged until it answers again',
    );
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

async function quit(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

function parseState(text: string): SharedSessionState {
  try {
    const parsed = JSON.parse(text) as Partial<SharedSessionState>;
    const rooms = Array.isArray(parsed.rooms)
      ? parsed.rooms.filter((room): room is string => typeof room === 'string')
      : [];
    return { data: parsed.data, rooms };
  } catch {
    return { data: undefined, rooms: [] };
  }
}

function parseMessage(text: string): ClusterMessage | undefined {
  try {
    const message = JSON.parse(text) as Partial<ClusterMessage> | null;
    if (!message || typeof message.from !== 'string') return undefined;
    switch (message.kind) {
      case 'room':
        return typeof message.room === 'string' && typeof message.event === 'string'
          ? (message as ClusterMessage)
          : undefined;
      case 'direct':
        return typeof message.to === 'string' && typeof message.event === 'string'
          ? (message as ClusterMessage)
          : undefined;
      case 'moved':
        return typeof message.id === 'string' && typeof message.to === 'string'
          ? (message as ClusterMessage)
          : undefined;
      default:
        return undefined;
    }
  } catch {
    return undefined;
  }
}

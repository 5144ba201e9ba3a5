import { isMediaServerError, MediaClientError } from '../errors.js';
import { connect, type MediaClient, type MediaClientOptions } from '../MediaClient.js';
import { TypedEmitter } from '../util/TypedEmitter.js';

/** The options of {@link MediaServerPool.connect}; the client options apply to every server. */
export interface MediaServerPoolOptions extends MediaClientOptions {
  /** Milliseconds between two load readings of each server (`getUsedCpu`). Default 2000. */
  loadInterval?: number;
  /**
   * Milliseconds a server that refused an object with NOT_ENOUGH_RESOURCES (40009) is passed
   * over, whatever its CPU reading says: its admission control knows better. Default 10000.
   */
  refusalCooldown?: number;
  /**
   * Milliseconds a dropped connection may take to come back with its session before the server
   * counts as down (`serverDown`). Meanwhile nothing new is placed there. Default 5000.
   */
  downAfter?: number;
}

/** One server of a pool, as {@link MediaServerPool.servers} reports it. */
export interface PooledMediaServer {
  /** The Kurento-Protocol URL the pool was given. */
  readonly url: string;
  /** Its client while connected; undefined while the pool cannot reach it. */
  readonly client: MediaClient | undefined;
  /** Whether new work may go there: connected, and not refusing (see `refusalCooldown`). */
  readonly available: boolean;
  /** The last CPU reading, 0-100 (`ServerManager.getUsedCpu`); undefined before the first. */
  readonly usedCpu: number | undefined;
  /** The last resident memory reading, in KiB (`ServerManager.getUsedMemory`). */
  readonly usedMemoryKiB: number | undefined;
}

/** The events of a {@link MediaServerPool}, with the value their listeners receive. */
export interface MediaServerPoolEvents {
  /**
   * A server's connection dropped and did not come back within `downAfter` with its session, or
   * came back without it: the objects placed there are gone or unreachable. Tell the people whose
   * media was there, and place them again with `pick()`.
   */
  serverDown: PoolServerChange;
  /** A server is reachable again (or for the first time, after failing at `connect`). */
  serverUp: PoolServerChange;
}

/** Which server of a pool went down or came up. */
export interface PoolServerChange {
  /** The URL the pool was given for it. */
  readonly url: string;
  /**
   * Its client: on `serverDown` the closed one, to recognise the objects placed with it; on
   * `serverUp` the new one (the objects of the old one are not on it).
   */
  readonly client: MediaClient;
}

const RECONNECT_INTERVAL_MS = 2000;
/** What `getUsedCpu` averages over, in ms: short, so that a reading never lags a burst much. */
const CPU_SAMPLE_MS = 500;

interface ServerState {
  readonly url: string;
  client: MediaClient | undefined;
  /** False while its connection is down but may still come back with its session. */
  reachable: boolean;
  usedCpu: number | undefined;
  usedMemoryKiB: number | undefined;
  refusedUntil: number;
  /** Objects placed there since its last load reading: what the reading does not show yet. */
  placedSinceReading: number;
}

/**
 * Several Kurento-Protocol media servers used as one: `pick()` answers the client of the least
 * loaded one that is up, so each new room or broadcast goes where there is room. Load is each
 * server's CPU (read every `loadInterval`), plus what was placed since that reading; a server that
 * refused an object with NOT_ENOUGH_RESOURCES is passed over for `refusalCooldown`. A server
 * whose connection drops gets nothing new; unless it comes back with its session within
 * `downAfter`, it is taken out (`serverDown`), and put back when it answers again (`serverUp`):
 * the pool keeps trying to connect to every server it cannot reach.
 *
 * ```ts
 * const pool = await MediaServerPool.connect(['ws://ms1:8888/kurento', 'ws://ms2:8888/kurento']);
 * const pipeline = await pool.place((client) => client.create('MediaPipeline'));
 * pool.on('serverDown', ({ url }) => endTheRoomsOn(url));
 * ```
 */
export class MediaServerPool extends TypedEmitter<MediaServerPoolEvents> {
  readonly #servers: ServerState[];
  readonly #options: MediaClientOptions;
  readonly #refusalCooldown: number;
  readonly #downAfter: number;
  readonly #timer: ReturnType<typeof setInterval>;
  #closed = false;

  private constructor(urls: readonly string[], options: MediaServerPoolOptions) {
    super();
    const {
      loadInterval = 2000,
      refusalCooldown = 10_000,
      downAfter = 5000,
      ...clientOptions
    } = options;
    this.#options = clientOptions;
    this.#refusalCooldown = refusalCooldown;
    this.#downAfter = downAfter;
    this.#servers = urls.map((url) => ({
      url,
      client: undefined,
      reachable: false,
      usedCpu: undefined,
      usedMemoryKiB: undefined,
      refusedUntil: 0,
      placedSinceReading: 0,
    }));
    this.#timer = setInterval(() => void this.#readLoads(), loadInterval);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  /**
   * Connects to every server and reads their load. Resolves once at least one answered; the
   * others are retried in the background. Rejects with NO_MEDIA_SERVER when none did, and with
   * INVALID_ARGUMENT for an empty or duplicated URL list.
   */
  static async connect(
    urls: readonly string[],
    options: MediaServerPoolOptions = {},
  ): Promise<MediaServerPool> {
    if (urls.length === 0 || new Set(urls).size !== urls.length) {
      throw new MediaClientError(
        'INVALID_ARGUMENT',
        `A media-server pool needs one or more distinct URLs, got ${JSON.stringify(urls)}.`,
      );
    }
    const pool = new MediaServerPool(urls, options);
    await Promise.all(pool.#servers.map((server) => pool.#connect(server)));
    if (!pool.#servers.some((server) => server.client)) {
      pool.close();
      throw new MediaClientError(
        'NO_MEDIA_SERVER',
        `None of the media servers answered (${urls.join(', ')}): start one, or check the URLs.`,
      );
    }
    await pool.#readLoads();
    return pool;
  }

  /** Every server of the pool, in the order given, with its state and last load. */
  servers(): PooledMediaServer[] {
    const now = Date.now();
    return this.#servers.map((server) => ({
      url: server.url,
      client: server.client,
      available: server.reachable && server.refusedUntil <= now,
      usedCpu: server.usedCpu,
      usedMemoryKiB: server.usedMemoryKiB,
    }));
  }

  /**
   * The client of the least loaded server that is up. Each pick counts as load on that server
   * until its next reading, so a burst of rooms spreads instead of landing on one server.
   * Throws NO_MEDIA_SERVER when every server is down or refusing. `except`: servers not to
   * consider (the one a broadcast has filled, say, to cascade it onto another).
   */
  pick({ except = [] }: { except?: readonly MediaClient[] } = {}): MediaClient {
    const now = Date.now();
    let best: ServerState | undefined;
    for (const server of this.#servers) {
      if (!server.client || !server.reachable || server.refusedUntil > now) continue;
      if (except.includes(server.client)) continue;
      if (!best || loadOf(server) < loadOf(best)) best = server;
    }
    if (!best?.client) {
      throw new MediaClientError(
        'NO_MEDIA_SERVER',
        'No media server can take new work now: every one is down or near saturation. Retry later.',
      );
    }
    best.placedSinceReading++;
    return best.client;
  }

  /**
   * Runs `work` with the least loaded server's client; when that server refuses with
   * NOT_ENOUGH_RESOURCES, it is passed over for `refusalCooldown` and `work` runs again on the
   * next one. Other failures are the caller's. `work` must release what it created on a server
   * that refused (a pipeline, say) before it rethrows.
   */
  async place<T>(work: (client: MediaClient) => Promise<T>): Promise<T> {
    for (;;) {
      const client = this.pick();
      try {
        return await work(client);
      } catch (error) {
        if (!isMediaServerError(error, 'NOT_ENOUGH_RESOURCES')) throw error;
        this.reportRefusal(client);
      }
    }
  }

  /** Tells the pool that `client`'s server refused new objects (40009): it is passed over a while. */
  reportRefusal(client: MediaClient): void {
    const server = this.#servers.find((candidate) => candidate.client === client);
    if (server) server.refusedUntil = Date.now() + this.#refusalCooldown;
  }

  /** Closes every client and stops watching; the objects placed stay on their servers. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    for (const server of this.#servers) {
      const client = server.client;
      server.client = undefined;
      server.reachable = false;
      client?.close();
    }
  }

  async #connect(server: ServerState): Promise<void> {
    if (this.#closed || server.client) return;
    let client: MediaClient;
    try {
      client = await connect(server.url, this.#options);
    } catch {
      setTimeout(() => void this.#connect(server), RECONNECT_INTERVAL_MS).unref?.();
      return;
    }
    if (this.#closed) {
      client.close();
      return;
    }
    let downTimer: ReturnType<typeof setTimeout> | undefined;
    const down = () => {
      clearTimeout(downTimer);
      if (server.client !== client) return;
      server.client = undefined;
      server.reachable = false;
      server.usedCpu = undefined;
      client.close();
      this.emit('serverDown', { url: server.url, client });
      setTimeout(() => void this.#connect(server), RECONNECT_INTERVAL_MS).unref?.();
    };
    client.on('disconnected', () => {
      server.reachable = false;
      clearTimeout(downTimer);
      downTimer = setTimeout(down, this.#downAfter);
    });
    client.on('reconnected', ({ sessionResumed }) => {
      if (!sessionResumed) return down();
      clearTimeout(downTimer);
      server.reachable = server.client === client;
    });
    client.on('closed', down);
    server.client = client;
    server.reachable = true;
    server.refusedUntil = 0;
    this.emit('serverUp', { url: server.url, client });
  }

  async #readLoads(): Promise<void> {
    await Promise.all(
      this.#servers.map(async (server) => {
        const client = server.client;
        if (!client) return;
        try {
          const [usedCpu, usedMemoryKiB] = await Promise.all([
            client.serverManager.getUsedCpu(CPU_SAMPLE_MS),
            client.serverManager.getUsedMemory(),
          ]);
          if (server.client !== client) return;
          server.usedCpu = usedCpu;
          server.usedMemoryKiB = usedMemoryKiB;
          server.placedSinceReading = 0;
        } catch {
          // A server that does not answer is found out by its connection; keep the last reading.
        }
      }),
    );
  }
}

/**
 * CPU percent, plus a few points per object placed since the reading (so that picks in a burst
 * alternate between equally idle servers); an unread server counts as idle.
 */
function loadOf(server: ServerState): number {
  return (server.usedCpu ?? 0) + 5 * server.placedSinceReading;
}

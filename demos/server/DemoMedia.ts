import { type MediaClient, MediaServerPool, type PooledMediaServer } from '@medley/media-client';
import type { ViewerPlacement } from './calls/ViewerPlacement.js';
import { describeError } from './describeError.js';
import type { Logger } from './logger.js';

/**
 * Where the demos' media goes: one media server (embedded, or MEDIA_SERVER_URL), or the least
 * loaded of several (MEDIA_SERVER_URLS). Every new call, room or broadcast asks `place()` for its
 * server and keeps it; when a server goes away, `onServerLost` listeners end what was on it.
 */
export class DemoMedia {
  readonly #pool: MediaServerPool;

  private constructor(pool: MediaServerPool, log: Logger) {
    this.#pool = pool;
    pool.on('serverDown', ({ url }) => log.warn('media server lost', { url: redacted(url) }));
    pool.on('serverUp', ({ url }) => log.info('media server up', { url: redacted(url) }));
  }

  /** Connects to every server; rejects when none answers. */
  static async connect(urls: readonly string[], log: Logger): Promise<DemoMedia> {
    try {
      return new DemoMedia(await MediaServerPool.connect(urls), log);
    } catch (error) {
      throw new Error(
        `Cannot reach the media server${urls.length > 1 ? 's' : ''} at ${urls.map(redacted).join(', ')}: ${describeError(error)}`,
      );
    }
  }

  /**
   * The client of the media server a new call goes to. Throws, with a message for the person,
   * when no server can take it (all down or near saturation).
   */
  place(): MediaClient {
    return this.#pool.pick();
  }

  /**
   * Where a broadcast's viewers go beyond `viewersPerServer` on one server (or when a server
   * refuses): the least loaded of the other servers.
   */
  viewerPlacement(viewersPerServer: number): ViewerPlacement {
    return {
      viewersPerServer,
      pickOther: (except) => this.#pool.pick({ except }),
      reportRefusal: (client) => this.#pool.reportRefusal(client),
    };
  }

  /** Calls `listener` with the client of each media server that goes away: its media is gone. */
  onServerLost(listener: (client: MediaClient) => void): void {
    this.#pool.on('serverDown', ({ client }) => listener(client));
  }

  /** The servers and their last load readings. */
  servers(): PooledMediaServer[] {
    return this.#pool.servers();
  }

  close(): void {
    this.#pool.close();
  }
}

/** A URL as logs may show it: without its access token. */
function redacted(url: string): string {
  return url.replace(/([?&]access_token=)[^&]*/, '$1…');
}

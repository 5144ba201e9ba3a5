import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The path every HTTP endpoint URL starts with, on the media server's own HTTP listener. */
export const HTTP_ENDPOINT_PATH_PREFIX = '/http-endpoint/';

/** Answers the requests made to one endpoint's URL. */
export type HttpEndpointHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** One endpoint's place on the listener: its URL, until `close` withdraws it. */
export interface HttpEndpointRoute {
  /** The URL to give the client (Kurento's `HttpEndpoint.getUrl`). */
  readonly url: string;
  /** Withdraws the URL: later requests to it get 404. Idempotent. */
  close(): void;
}

/**
 * The URLs HTTP endpoints (HttpPostEndpoint) are reached at, served by the same listener as the
 * Kurento Protocol's WebSocket. Each URL holds 128 random bits: it is a capability, as in
 * Kurento, so nobody uploads into an endpoint without having been given its URL.
 */
export class HttpEndpointRoutes {
  readonly #handlers = new Map<string, HttpEndpointHandler>();
  #baseUrl = 'http://127.0.0.1';

  /** `http://host:port` of the listener, set once it listens. */
  set baseUrl(url: string) {
    this.#baseUrl = url.replace(/\/$/, '');
  }

  /** Number of URLs served (for tests and leak checks). */
  get size(): number {
    return this.#handlers.size;
  }

  /** Serves `handler` at a new unguessable URL. */
  register(handler: HttpEndpointHandler): HttpEndpointRoute {
    const path = `${HTTP_ENDPOINT_PATH_PREFIX}${randomBytes(16).toString('hex')}`;
    this.#handlers.set(path, handler);
    return {
      url: `${this.#baseUrl}${path}`,
      close: () => {
        this.#handlers.delete(path);
      },
    };
  }

  /**
   * Answers a request under the endpoint prefix (404 for a URL no endpoint holds) and returns
   * true; returns false for any other path, which the caller answers.
   */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (!path.startsWith(HTTP_ENDPOINT_PATH_PREFIX)) return false;
    const handler = this.#handlers.get(path);
    if (handler) {
      handler(request, response);
      return true;
    }
    request.resume();
    response.writeHead(404, { 'Content-Type': 'text/plain', Connection: 'close' });
    response.end(
      'No HTTP endpoint at this URL: it was released or expired (disconnectionTimeout). Ask the application for a new one (HttpPostEndpoint.getUrl).\n',
    );
    return true;
  }
}

import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/** What a page's script must read from WHIP answers: the session URL, its ETag, ICE servers. */
const EXPOSED_HEADERS = 'Location, ETag, Link, Retry-After, WWW-Authenticate, Accept-Patch';
const ALLOWED_METHODS = 'POST, PATCH, DELETE, OPTIONS';
const ALLOWED_HEADERS = 'Authorization, Content-Type, If-Match';
/** Browsers may cache a preflight this long, in seconds, before asking again. */
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * Cross-origin access for pages that publish or play from another origin (the Fetch standard's
 * CORS): which origins may, the headers their script may read, and the answer to a preflight.
 * No credentials mode: WHIP authenticates with a bearer token, never with cookies.
 */
export class CorsPolicy {
  readonly #allowed: ReadonlySet<string> | '*';

  constructor(allowed: ReadonlySet<string> | '*') {
    this.#allowed = allowed;
  }

  /** Whether a request with this `Origin` header may read the answer (no Origin: not a browser's CORS request). */
  allows(origin: string | undefined): boolean {
    if (origin === undefined) return true;
    return this.#allowed === '*' || this.#allowed.has(origin);
  }

  /** The CORS headers of an answer to `request`: none for a request of an origin not allowed. */
  headersFor(request: IncomingMessage): OutgoingHttpHeaders {
    const origin = request.headers.origin;
    if (origin === undefined || !this.allows(origin)) {
      return this.#allowed === '*' ? {} : { Vary: 'Origin' };
    }
    return {
      'Access-Control-Allow-Origin': this.#allowed === '*' ? '*' : origin,
      'Access-Control-Expose-Headers': EXPOSED_HEADERS,
      ...(this.#allowed === '*' ? {} : { Vary: 'Origin' }),
    };
  }

  /** The extra headers of the answer to a preflight (`OPTIONS` with Access-Control-Request-Method). */
  preflightHeaders(): OutgoingHttpHeaders {
    return {
      'Access-Control-Allow-Methods': ALLOWED_METHODS,
      'Access-Control-Allow-Headers': ALLOWED_HEADERS,
      'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_S),
    };
  }
}

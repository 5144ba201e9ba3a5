import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import type { ServerContext } from '../objects/ServerContext.js';
import type { AdmissionControl } from '../server/AdmissionControl.js';
import { CorsPolicy } from './CorsPolicy.js';
import { iceServerLinks } from './iceServerLinks.js';
import { readBody, requireContentType } from './requestBody.js';
import { parseSdpFragment, SDP_FRAGMENT_TYPE } from './sdpFragment.js';
import { WhipAuthorizer } from './WhipAuthorizer.js';
import { WhipHttpError } from './WhipHttpError.js';
import type { WhipSettings } from './WhipOptions.js';
import type { WhipSessionKind } from './WhipSession.js';
import { WhipSessionRegistry } from './WhipSessionRegistry.js';

const SDP_TYPE = 'application/sdp';
/** Stream names travel in URLs and tags: RFC 3986's unreserved characters only. */
const STREAM_NAME = /^[A-Za-z0-9._~-]{1,128}$/;
const ENDPOINT_METHODS = 'GET, HEAD, POST, OPTIONS';
const SESSION_METHODS = 'GET, HEAD, PATCH, DELETE, OPTIONS';
/**
 * What a POST without an offer is told. The WHEP draft (draft-ietf-wish-whep-03 §4.3) has the
 * player send the offer in every POST; the server-offer mode of its earlier versions (an empty
 * POST answered with the server's offer) is gone, and its counter-offer (406) is the server's
 * choice — this one always answers the player's offer.
 */
const NO_OFFER: Readonly<Record<WhipSessionKind, string>> = {
  publisher:
    'The body is empty: POST the SDP offer of your RTCPeerConnection (it starts with "v=0") as application/sdp (RFC 9725 §4.2).',
  viewer:
    'The body is empty: a WHEP player POSTs its own SDP offer (draft-ietf-wish-whep-03: the player always offers; the server offers of earlier drafts, answering an empty POST, are not part of WHEP any more and this server makes none). Offer recvonly audio and video (addTransceiver(kind, { direction: "recvonly" })) and POST it as application/sdp.',
};

/** Which resource a path names: a stream's endpoint (`/whip/{stream}`) or a session. */
type Route =
  | { readonly resource: 'endpoint'; readonly kind: WhipSessionKind; readonly stream: string }
  | {
      readonly resource: 'session';
      readonly kind: WhipSessionKind;
      readonly stream: string;
      readonly id: string;
    };

/**
 * The HTTP side of WHIP (RFC 9725) and WHEP: `POST /whip/{stream}` publishes, `POST
 * /whep/{stream}` plays, and the session at the answered `Location` takes `PATCH` (trickle ICE
 * and ICE restart, `application/trickle-ice-sdpfrag`) and `DELETE`. `GET` and `HEAD` answer
 * 200 without content (RFC 9725 §4.1; on an endpoint with `Content-Type: application/sdp`, how
 * WHEP players recognise one). Every refusal is an HTTP status with a text/plain body saying
 * what to do; no request can throw out of `handle`.
 */
export class WhipRouter {
  /** The streams and sessions served. */
  readonly sessions: WhipSessionRegistry;
  readonly #settings: WhipSettings;
  readonly #cors: CorsPolicy;
  readonly #authorizer: WhipAuthorizer;
  readonly #logger: Logger;
  readonly #maxBodyBytes: number;

  constructor(options: {
    readonly settings: WhipSettings;
    readonly context: ServerContext;
    readonly admission: AdmissionControl;
    readonly logger: Logger;
    /** Largest PATCH or POST body accepted (the server's `maxMessageBytes`). */
    readonly maxBodyBytes: number;
  }) {
    this.#settings = options.settings;
    this.#logger = options.logger;
    this.#maxBodyBytes = options.maxBodyBytes;
    this.#cors = new CorsPolicy(options.settings.allowOrigins);
    this.#authorizer = new WhipAuthorizer(options.settings, options.logger);
    this.sessions = new WhipSessionRegistry({
      context: options.context,
      admission: options.admission,
      logger: options.logger,
      connectTimeoutMs: options.settings.connectTimeoutMs,
    });
  }

  /** Whether `url` (a request's path and query) is under `/whip/` or `/whep/`. */
  handles(url: string | undefined): boolean {
    return url !== undefined && /^\/(whip|whep)(\/|\?|$)/.test(url);
  }

  /** Answers a request `handles` accepted. Never rejects: failures become HTTP errors. */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    response.on('error', () => request.socket.destroy());
    try {
      await this.#dispatch(request, response);
    } catch (error) {
      this.#sendError(request, response, error);
    }
  }

  /** Ends every session (the server is closing). */
  async close(): Promise<void> {
    this.#authorizer.close();
    await this.sessions.close();
  }

  async #dispatch(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const route = parseRoute(request.url ?? '/');
    const method = request.method ?? 'GET';
    const allowed = route.resource === 'endpoint' ? ENDPOINT_METHODS : SESSION_METHODS;
    if (method === 'OPTIONS') return this.#options(request, response, route);
    const origin = request.headers.origin;
    if (!this.#cors.allows(origin)) {
      throw new WhipHttpError(
        403,
        `Pages of ${origin} may not use this endpoint: start the server with --whip-allow-origin ${origin} (whip.allowOrigins) to let them.`,
      );
    }
    if (!allowed.split(', ').includes(method)) {
      throw new WhipHttpError(
        405,
        `${method} is not used here: ${route.resource === 'endpoint' ? 'POST an SDP offer to publish or play' : 'PATCH trickle ICE fragments or DELETE the session'}.`,
        { Allow: allowed },
      );
    }
    if (method === 'GET' || method === 'HEAD') return this.#describe(request, response, route);
    if (route.resource === 'endpoint') return this.#post(request, response, route);
    if (method === 'PATCH') return this.#patch(request, response, route);
    return this.#delete(request, response, route);
  }

  async #post(
    request: IncomingMessage,
    response: ServerResponse,
    route: Extract<Route, { resource: 'endpoint' }>,
  ): Promise<void> {
    const action = route.kind === 'publisher' ? 'publish' : 'play';
    await this.#authorizer.authorize(request, action, route.stream);
    // A POST without a body (of any type) asks for something WHIP and WHEP do not do.
    if (hasNoBody(request)) throw new WhipHttpError(400, NO_OFFER[route.kind]);
    requireContentType(request, SDP_TYPE);
    const offer = await readBody(request, this.#maxBodyBytes);
    if (!offer.trimStart().startsWith('v=0')) {
      throw new WhipHttpError(
        400,
        offer.trim() === ''
          ? NO_OFFER[route.kind]
          : 'The body is not an SDP offer (it must start with "v=0").',
      );
    }
    const { session, answer } =
      route.kind === 'publisher'
        ? await this.sessions.publish(route.stream, offer)
        : await this.sessions.play(route.stream, offer);
    if (response.destroyed) {
      await this.sessions.end(session);
      return;
    }
    const links = iceServerLinks(this.#settings.iceServers);
    this.#send(
      request,
      response,
      201,
      {
        'Content-Type': SDP_TYPE,
        Location: session.location,
        ETag: session.etag,
        'Accept-Patch': SDP_FRAGMENT_TYPE,
        ...(links.length > 0 ? { Link: links } : {}),
      },
      answer,
    );
  }

  /** GET and HEAD: 200 with no content (the resources have no representation). */
  #describe(request: IncomingMessage, response: ServerResponse, route: Route): void {
    if (route.resource === 'session') this.sessions.session(route.kind, route.stream, route.id);
    this.#send(
      request,
      response,
      200,
      route.resource === 'endpoint' ? { 'Content-Type': SDP_TYPE } : {},
      '',
    );
  }

  async #patch(
    request: IncomingMessage,
    response: ServerResponse,
    route: Extract<Route, { resource: 'session' }>,
  ): Promise<void> {
    const session = this.sessions.session(route.kind, route.stream, route.id);
    requireContentType(request, SDP_FRAGMENT_TYPE);
    const fragment = parseSdpFragment(await readBody(request, this.#maxBodyBytes));
    const outcome = await session.patch(fragment, request.headers['if-match']);
    if (outcome.status === 204) {
      this.#send(request, response, 204, {});
      return;
    }
    this.#send(
      request,
      response,
      200,
      { 'Content-Type': SDP_FRAGMENT_TYPE, ETag: outcome.etag },
      outcome.fragment,
    );
  }

  async #delete(
    request: IncomingMessage,
    response: ServerResponse,
    route: Extract<Route, { resource: 'session' }>,
  ): Promise<void> {
    const session = this.sessions.session(route.kind, route.stream, route.id);
    await this.sessions.end(session);
    this.#send(request, response, 200, {});
  }

  #options(request: IncomingMessage, response: ServerResponse, route: Route): void {
    const allowed = route.resource === 'endpoint' ? ENDPOINT_METHODS : SESSION_METHODS;
    const origin = request.headers.origin;
    const preflight = origin !== undefined && request.headers['access-control-request-method'];
    if (preflight && !this.#cors.allows(origin)) {
      throw new WhipHttpError(
        403,
        `Pages of ${origin} may not use this endpoint: start the server with --whip-allow-origin ${origin} (whip.allowOrigins) to let them.`,
      );
    }
    this.#send(request, response, 204, {
      Allow: allowed,
      ...(route.resource === 'endpoint'
        ? { 'Accept-Post': SDP_TYPE }
        : { 'Accept-Patch': SDP_FRAGMENT_TYPE }),
      ...(preflight ? this.#cors.preflightHeaders() : {}),
    });
  }

  #send(
    request: IncomingMessage,
    response: ServerResponse,
    status: number,
    headers: OutgoingHttpHeaders,
    body?: string,
  ): void {
    if (response.headersSent || response.destroyed) return;
    response.writeHead(status, {
      'Cache-Control': 'no-store',
      ...this.#cors.headersFor(request),
      ...headers,
      ...(body === undefined ? {} : { 'Content-Length': Buffer.byteLength(body) }),
    });
    response.end(body);
  }

  #sendError(request: IncomingMessage, response: ServerResponse, error: unknown): void {
    const refused =
      error instanceof WhipHttpError
        ? error
        : new WhipHttpError(500, 'The server failed on this request; it was logged. Retry later.');
    if (refused.status >= 500 && !(error instanceof WhipHttpError && refused.status === 503)) {
      this.#logger.error('WHIP request failed', { method: request.method, error });
    } else {
      this.#logger.debug('WHIP request refused', {
        method: request.method,
        status: refused.status,
      });
    }
    // A body the server did not read would be taken for the next request: close the connection.
    const unread = !request.readableEnded;
    this.#send(
      request,
      response,
      refused.status,
      {
        'Content-Type': 'text/plain; charset=utf-8',
        ...refused.headers,
        ...(unread ? { Connection: 'close' } : {}),
      },
      `${refused.message}\n`,
    );
    if (unread) request.resume();
  }
}

/** Whether a request says it carries no body: `Content-Length: 0`, or neither length nor chunks. */
function hasNoBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined) return Number(length) === 0;
  return request.headers['transfer-encoding'] === undefined;
}

/**
 * `/whip/{stream}` or `/whep/{stream}`, and `/whip/{stream}/{session}` for a session.
 * @throws WhipHttpError 404 for any other path under /whip and /whep, 400 for a bad stream name
 */
function parseRoute(url: string): Route {
  const path = new URL(url, 'http://localhost').pathname;
  const [prefix, stream, id, ...rest] = path.split('/').slice(1);
  const kind: WhipSessionKind = prefix === 'whip' ? 'publisher' : 'viewer';
  if (stream === undefined || stream === '' || rest.length > 0 || id === '') {
    throw new WhipHttpError(
      404,
      `Nothing at ${path}: publish with POST /whip/{stream}, play with POST /whep/{stream}, and use the Location answered for PATCH and DELETE.`,
    );
  }
  let name: string;
  try {
    name = decodeURIComponent(stream);
  } catch {
    name = stream;
  }
  if (!STREAM_NAME.test(name)) {
    throw new WhipHttpError(400, 'A stream name is 1-128 letters, digits, ".", "_", "~" or "-".');
  }
  return id === undefined
    ? { resource: 'endpoint', kind, stream: name }
    : { resource: 'session', kind, stream: name, id };
}

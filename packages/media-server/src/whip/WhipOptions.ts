import { ConfigurationError } from '../errors.js';

/** What a WHIP or WHEP request asks to do: publish a stream (WHIP) or play it (WHEP). */
export type WhipAction = 'publish' | 'play';

/** A `POST` to check, as the verify function of {@link WhipOptions.verifyToken} sees it. */
export interface WhipTokenRequest {
  /** The token of `Authorization: Bearer <token>`; undefined when the header is missing. */
  readonly token: string | undefined;
  /** `publish` for `POST /whip/{stream}`, `play` for `POST /whep/{stream}`. */
  readonly action: WhipAction;
  /** The `{stream}` of the URL. */
  readonly stream: string;
  /** The client's address, as the server's socket sees it. */
  readonly remoteAddress: string;
  /** The `Origin` header of a browser's request, if any. */
  readonly origin: string | undefined;
}

/**
 * Decides whether a request's token lets it publish or play, for an application that issues
 * its own tokens (per stream, per user, expiring). Resolve `false` to answer 401; a function
 * that throws is answered 500 and logged, never let through.
 */
export type WhipTokenVerifier = (request: WhipTokenRequest) => boolean | Promise<boolean>;

/**
 * A STUN or TURN server WHIP and WHEP clients are told about in the `Link` headers of the 201
 * answer (RFC 9725 §4.6), as an RTCIceServer holds it.
 */
export interface WhipIceServer {
  /** `stun:host:port`, `turn:host:port?transport=udp`, `turns:host:port`. */
  readonly urls: string | readonly string[];
  /** TURN user name. */
  readonly username?: string;
  /** TURN password. */
  readonly credential?: string;
}

/**
 * WHIP (RFC 9725) and WHEP on the Kurento Protocol's HTTP port: `POST /whip/{stream}` publishes,
 * `POST /whep/{stream}` plays, the `Location` answered takes `PATCH` (trickle ICE, ICE restart)
 * and `DELETE`.
 */
export interface WhipOptions {
  /**
   * A token every `POST` must carry as `Authorization: Bearer <token>`; others get 401. Without
   * it (and without `verifyToken`) anyone who reaches the port may publish and play, which suits
   * a server that listens on loopback only. Wrong tokens back an address off as the WebSocket's
   * access token does. Give `token` or `verifyToken`, not both.
   */
  readonly token?: string;
  /** Checks each `POST`'s token with the application's own rules instead of a static token. */
  readonly verifyToken?: WhipTokenVerifier;
  /**
   * Origins whose pages may publish and play from a browser (CORS), e.g.
   * `['https://studio.example.com']`; `'*'` allows any. Default none: a page of another origin
   * cannot reach the endpoints (a web page the user visits could otherwise play a stream of a
   * server on the user's own network). Tools that are not browsers are not concerned.
   */
  readonly allowOrigins?: readonly string[];
  /** STUN/TURN servers for the clients, sent as `Link: <url>; rel="ice-server"` headers. */
  readonly iceServers?: readonly WhipIceServer[];
  /**
   * A session whose peer is not connected for this long — never after its `POST`, or lost and
   * not back (no ICE restart) — is ended as a `DELETE` would, so that a publisher that crashed
   * frees its stream name. Default 30 s.
   */
  readonly connectTimeoutMs?: number;
}

/** The checked {@link WhipOptions}, as the WHIP endpoints use them. */
export interface WhipSettings {
  readonly token: string | undefined;
  readonly verifyToken: WhipTokenVerifier | undefined;
  /** Allowed origins; `'*'` allows any. */
  readonly allowOrigins: ReadonlySet<string> | '*';
  readonly iceServers: readonly WhipIceServer[];
  readonly connectTimeoutMs: number;
}

/** How long a session may stay without a connected peer, by default. */
export const DEFAULT_WHIP_CONNECT_TIMEOUT_MS = 30_000;

/**
 * Checks the `whip` option of the server: `undefined` or `false` leaves WHIP off, `true` turns it
 * on with the defaults.
 * @throws ConfigurationError saying which setting is wrong
 */
export function resolveWhipOptions(
  options: boolean | WhipOptions | undefined,
): WhipSettings | undefined {
  if (options === undefined || options === false) return undefined;
  const whip: WhipOptions = options === true ? {} : options;
  if (whip.token !== undefined && whip.verifyToken !== undefined) {
    throw new ConfigurationError(
      'whip: give token (one static token) or verifyToken (your own check), not both',
    );
  }
  if (whip.token !== undefined && whip.token.trim() === '') {
    throw new ConfigurationError(
      'whip: the token is empty, which would let anyone publish: set --whip-token (or MEDLEY_WHIP_TOKEN) to a secret, e.g. $(openssl rand -hex 16), or leave it unset on a server only this machine reaches',
    );
  }
  const connectTimeoutMs = whip.connectTimeoutMs ?? DEFAULT_WHIP_CONNECT_TIMEOUT_MS;
  if (!Number.isFinite(connectTimeoutMs) || connectTimeoutMs <= 0) {
    throw new ConfigurationError(`whip.connectTimeoutMs must be > 0, got ${connectTimeoutMs}`);
  }
  return {
    token: whip.token,
    verifyToken: whip.verifyToken,
    allowOrigins: resolveOrigins(whip.allowOrigins ?? []),
    iceServers: (whip.iceServers ?? []).map(checkIceServer),
    connectTimeoutMs,
  };
}

/**
 * Reads an ICE server as the command line writes it: `stun:host:port`, or a TURN URL with its
 * credentials as Kurento writes them, `turn:user:password@host:port[?transport=udp|tcp]`.
 * @throws ConfigurationError when it is neither
 */
export function parseIceServerUrl(text: string): WhipIceServer {
  const match = /^(stuns?|turns?):(?:([^:@]+):([^@]+)@)?([^@]+)$/.exec(text.trim());
  if (!match?.[1] || !match[4]) {
    throw new ConfigurationError(
      `--whip-ice-servers: '${text}' is not stun:host:port nor turn:user:password@host:port[?transport=udp]`,
    );
  }
  const [, scheme, username, credential, address] = match;
  return {
    urls: `${scheme}:${address}`,
    ...(username !== undefined && credential !== undefined ? { username, credential } : {}),
  };
}

function resolveOrigins(origins: readonly string[]): ReadonlySet<string> | '*' {
  if (origins.includes('*')) return '*';
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (!parsed || parsed.origin !== origin) {
      throw new ConfigurationError(
        `whip.allowOrigins: '${origin}' is not an origin (scheme://host[:port], no path nor trailing slash), nor '*'`,
      );
    }
  }
  return new Set(origins);
}

function checkIceServer(server: WhipIceServer): WhipIceServer {
  const urls = typeof server.urls === 'string' ? [server.urls] : server.urls;
  for (const url of urls) {
    if (!/^(stuns?|turns?):[^\s<>",;]+$/.test(url)) {
      throw new ConfigurationError(
        `whip.iceServers: '${url}' is not a stun:, stuns:, turn: or turns: URL`,
      );
    }
  }
  for (const value of [server.username, server.credential]) {
    if (value !== undefined && /["\r\n\\]/.test(value)) {
      throw new ConfigurationError(
        'whip.iceServers: a username or credential cannot hold quotes, backslashes or line breaks',
      );
    }
  }
  return server;
}

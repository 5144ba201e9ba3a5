import type { IncomingMessage } from 'node:http';
import type { Logger } from '../logger.js';
import { AccessGate } from '../server/AccessGate.js';
import { WhipHttpError } from './WhipHttpError.js';
import type { WhipAction, WhipSettings } from './WhipOptions.js';

const REALM = 'medley-whip';

/**
 * Checks the `Authorization: Bearer` token of a WHIP/WHEP `POST` (RFC 9725 §4.5, RFC 6750):
 * against the static token through an {@link AccessGate} (constant-time, guesses backed off per
 * address), or with the application's verify function. With neither, every request is allowed.
 */
export class WhipAuthorizer {
  readonly #gate: AccessGate | undefined;
  readonly #settings: WhipSettings;
  readonly #logger: Logger;

  constructor(settings: WhipSettings, logger: Logger) {
    this.#settings = settings;
    this.#logger = logger;
    this.#gate = settings.token === undefined ? undefined : new AccessGate(settings.token, logger);
  }

  /** @throws WhipHttpError 401 (missing or wrong token), 429 (too many wrong ones), 500 */
  async authorize(request: IncomingMessage, action: WhipAction, stream: string): Promise<void> {
    const token = bearerToken(request);
    const remoteAddress = request.socket.remoteAddress ?? 'unknown';
    if (this.#gate) {
      const decision = this.#gate.check(remoteAddress, token ?? null);
      if (decision.kind === 'allowed') return;
      if (decision.kind === 'throttled') {
        throw new WhipHttpError(
          429,
          `Too many wrong tokens from this address; retry in ${decision.retryAfterSeconds} s.`,
          { 'Retry-After': String(decision.retryAfterSeconds) },
        );
      }
      throw unauthorized(token);
    }
    const verify = this.#settings.verifyToken;
    if (!verify) return;
    let allowed: boolean;
    try {
      allowed = await verify({
        token,
        action,
        stream,
        remoteAddress,
        origin: request.headers.origin,
      });
    } catch (error) {
      this.#logger.error('the WHIP token check threw; the request is refused', { error });
      throw new WhipHttpError(500, 'The token check failed on the server; retry later.');
    }
    if (allowed !== true) throw unauthorized(token);
  }

  close(): void {
    this.#gate?.close();
  }
}

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive), if any. */
function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  return match?.[1];
}

function unauthorized(token: string | undefined): WhipHttpError {
  const challenge =
    token === undefined
      ? `Bearer realm="${REALM}"`
      : `Bearer realm="${REALM}", error="invalid_token"`;
  return new WhipHttpError(
    401,
    token === undefined
      ? 'This endpoint needs a token: send "Authorization: Bearer <token>" (the token the server was given with --whip-token, or one your application issued).'
      : 'The bearer token is wrong or not valid for this stream: ask for a new one.',
    { 'WWW-Authenticate': challenge },
  );
}

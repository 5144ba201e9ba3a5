import type { OutgoingHttpHeaders } from 'node:http';

/**
 * A WHIP or WHEP request refused: the HTTP status, a message that tells the client what to do
 * (sent as a text/plain body), and any header the status needs (Allow, Retry-After,
 * WWW-Authenticate).
 */
export class WhipHttpError extends Error {
  /** The HTTP status code of the response (4xx or 5xx). */
  readonly status: number;
  /** Headers the response carries besides Content-Type and the CORS ones. */
  readonly headers: Readonly<OutgoingHttpHeaders>;

  constructor(
    status: number,
    message: string,
    headers: Readonly<OutgoingHttpHeaders> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'WhipHttpError';
    this.status = status;
    this.headers = headers;
  }
}

/**
 * What went wrong with a WHIP or WHEP request, as a value the caller can branch on. Each HTTP
 * refusal has its code: `BAD_REQUEST` (400, 413, 415), `UNAUTHORIZED` (401), `FORBIDDEN` (403),
 * `NOT_FOUND` (404), `CONFLICT` (409), `UNPROCESSABLE` (422), `UNAVAILABLE` (429, 503; see
 * {@link WhipError.retryAfterSeconds}), `SERVER_ERROR` (other 5xx), `HTTP_ERROR` (any other
 * status or a malformed answer); `UNREACHABLE` when no answer came at all, `ICE_FAILED` when the
 * media connection was lost and an ICE restart could not bring it back.
 */
export type WhipErrorCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'UNPROCESSABLE'
  | 'UNAVAILABLE'
  | 'SERVER_ERROR'
  | 'HTTP_ERROR'
  | 'UNREACHABLE'
  | 'ICE_FAILED';

/**
 * A failure of {@link publishWhip}, {@link playWhep} or their {@link WhipSession}: `code` says
 * what went wrong, the message what to do about it (followed by the server's own words, which
 * usually name the setting or the stream), `status` is the HTTP status when there was one.
 */
export class WhipError extends Error {
  /** Always `'WhipError'`. */
  override readonly name = 'WhipError';

  constructor(
    /** What went wrong. */
    readonly code: WhipErrorCode,
    message: string,
    /** Details: the HTTP status, the server's text, how long to wait, the underlying error. */
    details: {
      status?: number;
      serverMessage?: string;
      retryAfterSeconds?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: details.cause });
    this.status = details.status;
    this.serverMessage = details.serverMessage;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }

  /** The HTTP status of the refusal, if the server answered. */
  readonly status: number | undefined;
  /** The text/plain body of the refusal: the server's own explanation. */
  readonly serverMessage: string | undefined;
  /** With `UNAVAILABLE`: the server's `Retry-After`, in seconds, when it sent one. */
  readonly retryAfterSeconds: number | undefined;
}

/** [code, what to do] per HTTP status; other statuses fall back on their class. */
const refusals: Record<number, [WhipErrorCode, string]> = {
  400: ['BAD_REQUEST', 'The server cannot use this request'],
  401: ['UNAUTHORIZED', 'The token is missing or wrong: pass the right one as `token`'],
  403: ['FORBIDDEN', 'This page may not use the endpoint: allow its origin on the server'],
  404: ['NOT_FOUND', 'Nothing to play or patch here: check the stream name, or publish it first'],
  409: [
    'CONFLICT',
    'The stream is already being published: stop that publisher or use another name',
  ],
  413: ['BAD_REQUEST', 'The request is larger than the server accepts'],
  415: ['BAD_REQUEST', 'The server does not accept this content type'],
  422: ['UNPROCESSABLE', 'The server cannot deliver the stream in a codec this browser offered'],
  429: ['UNAVAILABLE', 'Too many attempts: wait before retrying'],
  503: ['UNAVAILABLE', 'The server is too busy now: retry later'],
};

/** The error for a refused request, read from its status, `Retry-After` and text body. */
export async function refusal(response: Response): Promise<WhipError> {
  const status = response.status;
  const [code, advice] = refusals[status] ?? [
    status >= 500 ? 'SERVER_ERROR' : 'HTTP_ERROR',
    `The server answered ${status} ${response.statusText}`.trim(),
  ];
  const serverMessage = (await response.text().catch(() => '')).trim() || undefined;
  const retryAfter = response.headers.get('Retry-After');
  let retryAfterSeconds: number | undefined;
  if (retryAfter !== null) {
    const seconds = /^\d+$/.test(retryAfter)
      ? Number(retryAfter)
      : (Date.parse(retryAfter) - Date.now()) / 1000;
    if (Number.isFinite(seconds)) retryAfterSeconds = Math.max(0, Math.ceil(seconds));
  }
  const wait = retryAfterSeconds === undefined ? '' : ` (in ${retryAfterSeconds} s)`;
  return new WhipError(
    code,
    `${advice}${wait}. ${serverMessage ? `Server: ${serverMessage}` : `(HTTP ${status})`}`,
    { status, serverMessage, retryAfterSeconds },
  );
}

/**
 * What went wrong, as a code the caller can branch on. The message of each error says what to do.
 *
 * - `TIMEOUT`: no answer within the request's timeout. The server may still process the request.
 * - `DISCONNECTED`: the connection was lost or closed before an answer came. Whether the server
 *   processed the request is unknown; retry only requests that are safe to repeat.
 * - `REJECTED`: the server refused: a request handler threw (the message is the server's), or
 *   the server refused the connection (e.g. authentication in `onConnect`).
 * - `INVALID_PAYLOAD`: the payload did not match the server's schema for that request type.
 * - `UNKNOWN_REQUEST`: the server has no handler for that request type.
 * - `CONNECT_FAILED`: the server could not be reached, or did not open a session in time.
 * - `INVALID_RESPONSE`: the other side does not speak this protocol (a malformed answer).
 * - `SUPERSEDED`: a newer WebRTC negotiation started before this one completed.
 * - `INVALID_OPTIONS`: the code using this library passed a configuration that cannot work.
 * - `UNAVAILABLE` (server side): a service the app servers share (Redis) cannot be reached; try
 *   again once it is back.
 */
export type SignalingErrorCode =
  | 'TIMEOUT'
  | 'DISCONNECTED'
  | 'REJECTED'
  | 'INVALID_PAYLOAD'
  | 'UNKNOWN_REQUEST'
  | 'CONNECT_FAILED'
  | 'INVALID_RESPONSE'
  | 'SUPERSEDED'
  | 'INVALID_OPTIONS'
  | 'UNAVAILABLE';

/** The codes of {@link SignalingErrorCode} that come from the server, in an error answer. */
export type ServerErrorCode = 'REJECTED' | 'INVALID_PAYLOAD' | 'UNKNOWN_REQUEST';

/** Codes a server may put in an error acknowledgement. */
export const serverErrorCodes: readonly ServerErrorCode[] = [
  'REJECTED',
  'INVALID_PAYLOAD',
  'UNKNOWN_REQUEST',
];

/**
 * Every failure of the client, and what a request handler's caller receives: branch on `code`,
 * show the message (it says what to do); `cause` holds the underlying error when there is one.
 */
export class SignalingError extends Error {
  /** Always `'SignalingError'`. */
  override readonly name = 'SignalingError';
  /** What went wrong. */
  readonly code: SignalingErrorCode;

  constructor(code: SignalingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Whether `error` is a {@link SignalingError} (of `code`, when given); it narrows the type:
 * `if (isSignalingError(error, 'TIMEOUT')) retry();`.
 */
export function isSignalingError(
  error: unknown,
  code?: SignalingErrorCode,
): error is SignalingError {
  return error instanceof SignalingError && (code === undefined || error.code === code);
}

/** The message of anything thrown, for an error acknowledgement or a log line. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return 'unknown error';
}

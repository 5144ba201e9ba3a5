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
  | 'INVALID_OPTIONS';

/** Codes a server may put in an error acknowledgement. */
export const serverErrorCodes = ['REJECTED', 'INVALID_PAYLOAD', 'UNKNOWN_REQUEST'] as const;
export type ServerErrorCode = (typeof serverErrorCodes)[number];

export class SignalingError extends Error {
  override readonly name = 'SignalingError';
  readonly code: SignalingErrorCode;

  constructor(code: SignalingErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

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

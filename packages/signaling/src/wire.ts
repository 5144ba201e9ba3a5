// What travels on the socket. Every Medley message uses one of three socket.io event names, so
// request types and event names chosen by applications can never collide with socket.io's
// reserved names ('connect', 'disconnect', ...) or with other code sharing the socket.
import { type ServerErrorCode, serverErrorCodes } from './errors.js';

/**
 * The three socket.io event names all Medley messages travel under, for code that reads the
 * socket directly (a proxy, a client in another language).
 */
export const WireEvent = {
  /** server → client, first packet of every connection: `(welcome: SessionWelcome)`. */
  session: 'medley:session',
  /** client → server: `(type: string, payload: unknown, ack: (answer: RequestAnswer) => void)`. */
  request: 'medley:request',
  /** server → client push: `(event: string, payload: unknown)`. */
  event: 'medley:event',
} as const;

/** Key of the handshake `auth` object that carries the session a client wants to resume. */
export const resumeSessionAuthKey = 'medleySessionId';

/** The first packet of every connection: which session the client is in. */
export interface SessionWelcome {
  /** The session's id: the client sends it back to resume the session after a drop. */
  sessionId: string;
  /** True when the server resumed the session the client asked for, false for a new one. */
  resumed: boolean;
}

/** The acknowledgement of a request: its result, or the server's error. */
export type RequestAnswer =
  | {
      /** The handler returned. */
      ok: true;
      /** What it returned (absent for a request without response). */
      result?: unknown;
    }
  | {
      /** The server refused the request or its handler threw. */
      ok: false;
      /** Why. */
      error: {
        /** What went wrong. */
        code: ServerErrorCode;
        /** The server's explanation (a handler's error message). */
        message: string;
      };
    };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null;

export function isSessionWelcome(value: unknown): value is SessionWelcome {
  return (
    isRecord(value) && typeof value.sessionId === 'string' && typeof value.resumed === 'boolean'
  );
}

export function isRequestAnswer(value: unknown): value is RequestAnswer {
  if (!isRecord(value)) return false;
  if (value.ok === true) return true;
  if (value.ok !== false || !isRecord(value.error)) return false;
  const { code, message } = value.error;
  return typeof message === 'string' && (serverErrorCodes as readonly unknown[]).includes(code);
}

/**
 * Why a demo refused what a page asked. Signaling handlers throw these: the page receives the
 * message (as a `REJECTED` answer) and shows it, so each message says what the person can do.
 */
export type CallErrorCode =
  /** A role or a room was asked for in the wrong order (view before anyone presents...). */
  | 'INVALID_STATE'
  /** The one-to-many demo already has a presenter. */
  | 'PRESENTER_EXISTS'
  /** There is no broadcast to watch. */
  | 'NO_PRESENTER'
  /** The broadcast or the call ended while this request was under way. */
  | 'ENDED'
  /** A participant or a peer that the request names does not exist. */
  | 'NOT_FOUND'
  /** A value the payload schema cannot express (a room name too long...). */
  | 'INVALID_ARGUMENT'
  /** The broadcast's media servers have no room for one more viewer. */
  | 'FULL'
  /** The app servers are set up inconsistently (e.g. different media servers): the operator's to fix. */
  | 'MISCONFIGURED';

export class CallError extends Error {
  override readonly name = 'CallError';

  constructor(
    readonly code: CallErrorCode,
    message: string,
  ) {
    super(message);
  }
}

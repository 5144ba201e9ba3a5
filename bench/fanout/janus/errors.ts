export type JanusBenchErrorCode =
  /** Janus is not installed: run bench/fanout/janus/install.sh. */
  | 'JANUS_MISSING'
  /** The janus process exited or never answered on its HTTP port. */
  | 'JANUS_START_FAILED'
  /** Janus answered a request with an error. */
  | 'JANUS_REQUEST_FAILED'
  /** The veth pair needs root and a private network namespace (scripts/isolated.sh). */
  | 'NOT_ISOLATED'
  | 'NOT_ROOT'
  | 'VETH_SETUP_FAILED';

/** An error of the Janus baseline, with a code to branch on and a message that says what to do. */
export class JanusBenchError extends Error {
  override readonly name = 'JanusBenchError';

  constructor(
    readonly code: JanusBenchErrorCode,
    message: string,
  ) {
    super(message);
  }
}

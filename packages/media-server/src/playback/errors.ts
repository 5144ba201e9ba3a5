export type MediaFileErrorCode =
  /** The file is not there (or is not a regular file). */
  | 'NOT_FOUND'
  /** The file cannot be read (permissions, I/O error, HTTP failure). */
  | 'UNREADABLE'
  /** The container, a codec or a feature of the file is not supported. */
  | 'NOT_SUPPORTED'
  /** The server's policy forbids reading it (an internal HTTP host). */
  | 'FORBIDDEN';

/** A media file the player cannot open or read; reported as a Kurento Error event. */
export class MediaFileError extends Error {
  override readonly name = 'MediaFileError';
  constructor(
    readonly code: MediaFileErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type RecordingErrorCode =
  /** The stream's codec does not fit the profile's container (e.g. VP8 into MP4). */
  | 'CODEC_NOT_ALLOWED'
  /** A new source sends another codec than the one the file's track was created with. */
  | 'CODEC_CHANGED'
  /** The file could not be created or written (permissions, disk full). */
  | 'WRITE_FAILED'
  /** An HTTP upload failed: an error status, a refused or lost connection. */
  | 'UPLOAD_FAILED';

/** A problem of a running recording, reported as a Kurento Error event by the recorder. */
export class RecordingError extends Error {
  override readonly name = 'RecordingError';
  constructor(
    readonly code: RecordingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type ProcessingErrorCode =
  /** The GStreamer helper could not be started (no python3-gst-1.0, no GStreamer). */
  | 'STAGE_START_FAILED'
  /** The helper process exited or was killed. */
  | 'STAGE_EXITED'
  /** The helper did not answer in time and was killed. */
  | 'STAGE_TIMEOUT'
  /** The helper refused a request; `stageCode` says why (ELEMENT_NOT_ALLOWED, PARSE_ERROR, ...). */
  | 'STAGE_REFUSED'
  /** A filter command names an element factory outside the allow-list. */
  | 'ELEMENT_NOT_ALLOWED'
  /** A filter command is not a gst-launch fragment GStreamer can build. */
  | 'COMMAND_INVALID'
  /** No decoder or encoder for this codec in the processing plane. */
  | 'CODEC_UNSUPPORTED';

/** An error of the processing plane (GStreamer stages, filters, transcoders). */
export class ProcessingError extends Error {
  override readonly name = 'ProcessingError';
  constructor(
    readonly code: ProcessingErrorCode,
    message: string,
    /** The helper's own code, for STAGE_REFUSED. */
    readonly stageCode?: string,
  ) {
    super(message);
  }
}

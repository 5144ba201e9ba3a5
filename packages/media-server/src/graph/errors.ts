import type { MediaType } from './MediaType.js';

/** What went wrong in the media graph (each member says when), to branch on. */
export type MediaGraphErrorCode =
  /** A sink received media in a codec its receiver did not negotiate: it drops that media. */
  | 'CODEC_NOT_NEGOTIATED'
  /** An operation was attempted on a released node. */
  | 'NODE_RELEASED'
  /** A link was asked for that the graph cannot make (e.g. between two pipelines). */
  | 'INVALID_LINK'
  /** A link needs a transcoder and transcoding is off (`--transcoding never`). */
  | 'TRANSCODING_DISABLED'
  /** A transcoder could not be started or stopped working. */
  | 'TRANSCODING_FAILED'
  /** A processing stage (filter, transcoder) stopped working. */
  | 'PROCESSING_FAILED';

/** An error of the in-process media graph. `mediaType` names the affected stream, when one is. */
export class MediaGraphError extends Error {
  /** Always `'MediaGraphError'`. */
  override readonly name = 'MediaGraphError';
  constructor(
    /** What went wrong. */
    readonly code: MediaGraphErrorCode,
    message: string,
    /** The media type of the affected stream; undefined when the error is not about one. */
    readonly mediaType?: MediaType,
  ) {
    super(message);
  }
}

import type { TimedFrame, TrackDescription } from './EncodedFrame.js';

/** Bytes of the file to rewrite once the recording is complete (duration, index pointers). */
export interface FilePatch {
  readonly offset: number;
  readonly bytes: Buffer;
}

/**
 * Writes frames into a container, as a stream of bytes to append to a file: the header first,
 * then self-contained pieces (a WebM cluster, an MP4 fragment), so a file cut short by a crash
 * is valid up to its last complete piece. `finish` adds the index and the patches that make the
 * finished file seekable with a known duration.
 */
export interface Muxer {
  /** The file header for these tracks (written once, before any frame). */
  start(tracks: readonly TrackDescription[]): Buffer;
  /** Takes the next frame (in time order across tracks); returns bytes ready to append. */
  write(frame: TimedFrame): Buffer | undefined;
  /** Completes the file: the bytes to append, and earlier bytes to rewrite. */
  finish(): { readonly append: Buffer; readonly patches: readonly FilePatch[] };
  /** Milliseconds of media written so far (the file's duration once finished). */
  readonly durationMs: number;
}

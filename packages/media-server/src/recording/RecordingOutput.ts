import type { FilePatch } from './Muxer.js';

/**
 * Where a recording's bytes go: a file inside the media root (RecordingFile) or an HTTP upload
 * (HttpRecordingUpload). Bytes are appended in order; a patch rewrites earlier bytes, which only
 * a file can do (an upload has sent them already and drops patches). A failure is reported once
 * through the callback the output was made with, and the rest is dropped.
 */
export interface RecordingOutput {
  /** Whether writing failed (the rest of the recording is dropped). */
  readonly failed: boolean;
  /** Bytes appended so far (queued or written). */
  readonly size: number;
  /** Appends bytes after those already appended. */
  append(bytes: Buffer): void;
  /** Rewrites bytes appended before (a file's duration and index, once the recording ends). */
  patch(patch: FilePatch): void;
  /** Waits for every queued write and closes. Resolves even after a failure. */
  close(): Promise<void>;
}

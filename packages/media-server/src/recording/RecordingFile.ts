import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { openInsideRootForWriting } from '../elements/MediaRootFile.js';
import type { FilePatch } from './Muxer.js';
import { type RecordingBytesWritten, recordingBytesWrittenUnder } from './RecordingBytesWritten.js';
import type { RecordingOutput } from './RecordingOutput.js';

/**
 * The file a recording goes to. Writes are queued and run one after another without blocking
 * the media path; once one fails (disk full, permissions) the rest are dropped and the failure
 * is reported once. Data handed to the OS survives the process being killed: no fsync is needed
 * for that, only for power loss, which `close` covers.
 */
export class RecordingFile implements RecordingOutput {
  readonly path: string;
  #queue: Promise<void>;
  #handle: FileHandle | undefined;
  #offset = 0;
  #failure: Error | undefined;
  readonly #onFailure: (error: Error) => void;
  readonly #written: RecordingBytesWritten | undefined;

  /**
   * Starts creating (or truncating) the file. A symbolic link in its place is refused
   * (O_NOFOLLOW): the media root check resolved the directory, not what a link points to. With
   * `mediaRoot`, what was opened must really be inside it (a directory link swapped in since).
   */
  constructor(path: string, onFailure: (error: Error) => void, mediaRoot?: string) {
    this.path = path;
    this.#onFailure = onFailure;
    this.#written = mediaRoot === undefined ? undefined : recordingBytesWrittenUnder(mediaRoot);
    const flags =
      constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0);
    const opening =
      mediaRoot === undefined
        ? open(path, flags, 0o644)
        : openInsideRootForWriting(path, mediaRoot);
    this.#queue = opening.then(
      (handle) => {
        this.#handle = handle;
      },
      (error: unknown) => this.#fail(error),
    );
  }

  get failed(): boolean {
    return this.#failure !== undefined;
  }

  /** Bytes appended so far (queued or written). */
  get size(): number {
    return this.#offset;
  }

  append(bytes: Buffer): void {
    const position = this.#offset;
    this.#offset += bytes.length;
    this.#enqueue(async (handle) => {
      await writeFully(handle, bytes, position);
      if (this.#written) this.#written.bytes += bytes.length;
    });
  }

  patch(patch: FilePatch): void {
    this.#enqueue((handle) => writeFully(handle, patch.bytes, patch.offset));
  }

  /** Waits for every queued write, flushes to disk and closes. Resolves even after a failure. */
  async close(): Promise<void> {
    this.#enqueue((handle) => handle.datasync());
    await this.#queue;
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close().catch(() => undefined);
  }

  #enqueue(operation: (handle: FileHandle) => Promise<unknown>): void {
    this.#queue = this.#queue.then(async () => {
      const handle = this.#handle;
      if (!handle || this.#failure) return;
      try {
        await operation(handle);
      } catch (error) {
        this.#fail(error);
      }
    });
  }

  #fail(error: unknown): void {
    if (this.#failure) return;
    this.#failure = error instanceof Error ? error : new Error(String(error));
    this.#onFailure(this.#failure);
  }
}

async function writeFully(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(
      bytes,
      written,
      bytes.length - written,
      position + written,
    );
    written += bytesWritten;
  }
}

import { type FileHandle, open } from 'node:fs/promises';

/** Random access to the bytes of a media file (a local file, or an HTTP resource). */
export interface ByteSource {
  /** Total bytes. */
  readonly size: number;
  /** Up to `length` bytes from `offset` (fewer at the end). */
  read(offset: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

export class FileByteSource implements ByteSource {
  readonly size: number;
  readonly #handle: FileHandle;

  private constructor(handle: FileHandle, size: number) {
    this.#handle = handle;
    this.size = size;
  }

  /** @throws the fs error (ENOENT, EACCES, ...) */
  static async open(path: string): Promise<FileByteSource> {
    return FileByteSource.fromHandle(await open(path, 'r'));
  }

  /** Reads from a file already opened (e.g. checked to be inside the media root); owns it. */
  static async fromHandle(handle: FileHandle): Promise<FileByteSource> {
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EISDIR' });
      return new FileByteSource(handle, stats.size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const wanted = Math.max(0, Math.min(length, this.size - offset));
    const buffer = Buffer.alloc(wanted);
    let filled = 0;
    while (filled < wanted) {
      const { bytesRead } = await this.#handle.read(
        buffer,
        filled,
        wanted - filled,
        offset + filled,
      );
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled === wanted ? buffer : buffer.subarray(0, filled);
  }

  close(): Promise<void> {
    return this.#handle.close();
  }
}

const CHUNK_BYTES = 64 * 1024;

/**
 * Serves small reads (element headers) from one cached chunk, so walking a file's structure
 * costs one read per chunk instead of one per element.
 */
export class ChunkedReader {
  readonly source: ByteSource;
  #chunkOffset = -1;
  #chunk: Buffer = Buffer.alloc(0);

  constructor(source: ByteSource) {
    this.source = source;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    if (length > CHUNK_BYTES) return this.source.read(offset, length);
    const end = offset + length;
    const cached = offset >= this.#chunkOffset && end <= this.#chunkOffset + this.#chunk.length;
    if (!cached) {
      this.#chunkOffset = offset;
      this.#chunk = await this.source.read(offset, CHUNK_BYTES);
    }
    const start = offset - this.#chunkOffset;
    return this.#chunk.subarray(start, Math.min(start + length, this.#chunk.length));
  }
}

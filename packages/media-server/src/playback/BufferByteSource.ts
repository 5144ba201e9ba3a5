import type { ByteSource } from './ByteSource.js';

/** Bytes already in memory (an uploaded file) read as a ByteSource, so the demuxers take them. */
export class BufferByteSource implements ByteSource {
  readonly #bytes: Buffer;

  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  get size(): number {
    return this.#bytes.length;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    return this.#bytes.subarray(offset, Math.min(this.#bytes.length, offset + length));
  }

  async close(): Promise<void> {}
}

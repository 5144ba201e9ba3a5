/**
 * A growable big-endian byte buffer for box-structured formats (ISO BMFF). `box` writes a box
 * header, runs the body, then fills in the box size; `offset` marks fields to rewrite later.
 */
export class ByteWriter {
  #buffer = Buffer.alloc(256);
  #length = 0;

  get offset(): number {
    return this.#length;
  }

  u8(value: number): this {
    this.#reserve(1);
    this.#buffer.writeUInt8(value, this.#length);
    this.#length += 1;
    return this;
  }

  u16(value: number): this {
    this.#reserve(2);
    this.#buffer.writeUInt16BE(value, this.#length);
    this.#length += 2;
    return this;
  }

  i16(value: number): this {
    this.#reserve(2);
    this.#buffer.writeInt16BE(value, this.#length);
    this.#length += 2;
    return this;
  }

  u32(value: number): this {
    this.#reserve(4);
    this.#buffer.writeUInt32BE(value >>> 0, this.#length);
    this.#length += 4;
    return this;
  }

  i32(value: number): this {
    this.#reserve(4);
    this.#buffer.writeInt32BE(value, this.#length);
    this.#length += 4;
    return this;
  }

  u64(value: number): this {
    this.#reserve(8);
    this.#buffer.writeBigUInt64BE(BigInt(Math.max(0, Math.round(value))), this.#length);
    this.#length += 8;
    return this;
  }

  bytes(data: Buffer): this {
    this.#reserve(data.length);
    data.copy(this.#buffer, this.#length);
    this.#length += data.length;
    return this;
  }

  zeros(count: number): this {
    this.#reserve(count);
    this.#buffer.fill(0, this.#length, this.#length + count);
    this.#length += count;
    return this;
  }

  ascii(text: string): this {
    return this.bytes(Buffer.from(text, 'latin1'));
  }

  /** A box: 32-bit size, four-character type, then what `body` writes. */
  box(type: string, body: () => void = () => {}): this {
    const start = this.#length;
    this.u32(0).ascii(type);
    body();
    this.#buffer.writeUInt32BE(this.#length - start, start);
    return this;
  }

  /** A full box: a box whose body starts with a version byte and 24 bits of flags. */
  fullBox(type: string, version: number, flags: number, body: () => void = () => {}): this {
    return this.box(type, () => {
      this.u32(((version & 0xff) << 24) | (flags & 0xffffff));
      body();
    });
  }

  /** Rewrites a 32-bit field written earlier. */
  setU32(offset: number, value: number): void {
    this.#buffer.writeUInt32BE(value >>> 0, offset);
  }

  toBuffer(): Buffer {
    return Buffer.from(this.#buffer.subarray(0, this.#length));
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const grown = Buffer.alloc(Math.max(this.#buffer.length * 2, this.#length + bytes));
    this.#buffer.copy(grown, 0, 0, this.#length);
    this.#buffer = grown;
  }
}

/** A 64-bit big-endian field on its own (for patches). */
export function u64Bytes(value: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(BigInt(Math.max(0, Math.round(value))));
  return bytes;
}

export function u32Bytes(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes;
}

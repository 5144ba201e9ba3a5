/** Reads a bitstream most significant bit first, with the Exp-Golomb codes of H.264. */
export class BitReader {
  readonly #bytes: Buffer;
  #bit = 0;

  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  get bitsLeft(): number {
    return this.#bytes.length * 8 - this.#bit;
  }

  /** @throws RangeError past the end of the data */
  bits(count: number): number {
    let value = 0;
    for (let index = 0; index < count; index++) {
      const byte = this.#bytes[this.#bit >> 3];
      if (byte === undefined) throw new RangeError('bitstream ended early');
      value = value * 2 + ((byte >> (7 - (this.#bit & 7))) & 1);
      this.#bit++;
    }
    return value;
  }

  flag(): boolean {
    return this.bits(1) === 1;
  }

  skip(count: number): void {
    this.bits(count);
  }

  /** ue(v): unsigned Exp-Golomb. */
  unsignedExpGolomb(): number {
    let leadingZeros = 0;
    while (this.bits(1) === 0) {
      if (++leadingZeros > 31) throw new RangeError('invalid Exp-Golomb code');
    }
    return 2 ** leadingZeros - 1 + this.bits(leadingZeros);
  }

  /** se(v): signed Exp-Golomb. */
  signedExpGolomb(): number {
    const code = this.unsignedExpGolomb();
    return code % 2 === 1 ? (code + 1) / 2 : -(code / 2);
  }
}

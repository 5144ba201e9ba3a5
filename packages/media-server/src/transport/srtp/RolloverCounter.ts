const SEQUENCE_MODULO = 0x10000;
const HALF_RANGE = 0x8000;

/**
 * The SRTP rollover counter of one outgoing stream (RFC 3711 §3.3.1): how many times its 16-bit
 * sequence number has wrapped. A retransmission of a packet sent just before the last wrap gets
 * the counter it was first sent with, so the receiver can authenticate it.
 */
export class RolloverCounter {
  #rollovers = 0;
  #highestSequence = -1;

  /** The rollover counter of the packet with `sequenceNumber`, sent now. */
  next(sequenceNumber: number): number {
    if (this.#highestSequence < 0) {
      this.#highestSequence = sequenceNumber;
      return this.#rollovers;
    }
    const ahead = (sequenceNumber - this.#highestSequence + SEQUENCE_MODULO) % SEQUENCE_MODULO;
    if (ahead !== 0 && ahead < HALF_RANGE) {
      if (sequenceNumber < this.#highestSequence) this.#rollovers = (this.#rollovers + 1) >>> 0;
      this.#highestSequence = sequenceNumber;
      return this.#rollovers;
    }
    // An older packet (a retransmission): it was sent before the last wrap if it is numerically
    // above the highest sequence number sent since.
    return sequenceNumber > this.#highestSequence ? (this.#rollovers - 1) >>> 0 : this.#rollovers;
  }
}

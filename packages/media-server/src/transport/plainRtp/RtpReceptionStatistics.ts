/** The fields of a received RTP packet the statistics need. */
export interface ReceivedRtpPacket {
  readonly ssrc: number;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly codec: { readonly clockRate: number };
}

/**
 * What RFC 3550 (appendix A.1, A.3, A.8) has a receiver count of the stream it receives: the
 * packets expected from the sequence numbers seen (so the lost ones), and the interarrival
 * jitter. A few arithmetic operations per packet; a new SSRC starts over.
 */
export class RtpReceptionStatistics {
  #ssrc: number | undefined;
  #received = 0;
  #baseSequence = 0;
  /** The highest sequence number seen, extended with its wrap-arounds. */
  #highestSequence = 0;
  #previousTransit: number | undefined;
  /** In RTP timestamp units, as RFC 3550 keeps it. */
  #jitter = 0;
  #clockRate = 0;

  /** Counts a packet that arrived at `arrivalMs` (a monotonic clock). */
  count(packet: ReceivedRtpPacket, arrivalMs: number): void {
    const clockRate = packet.codec.clockRate;
    if (packet.ssrc !== this.#ssrc || clockRate !== this.#clockRate) {
      this.#restart(packet, clockRate);
    }
    this.#received++;
    const cycle = this.#highestSequence & ~0xffff;
    let extended = cycle | packet.sequenceNumber;
    // The nearest of this cycle, the next and the previous one (RFC 3550 A.1's wrap test).
    if (extended - this.#highestSequence < -0x8000) extended += 0x10000;
    else if (extended - this.#highestSequence > 0x8000) extended -= 0x10000;
    if (extended > this.#highestSequence) this.#highestSequence = extended;
    const transit = (arrivalMs * clockRate) / 1000 - packet.timestamp;
    if (this.#previousTransit !== undefined) {
      let difference = Math.abs(transit - this.#previousTransit);
      // A timestamp that wrapped around 2^32 is not a jump in transit time.
      if (difference > 2 ** 31) difference = Math.abs(difference - 2 ** 32);
      this.#jitter += (difference - this.#jitter) / 16;
    }
    this.#previousTransit = transit;
  }

  /** Packets received (duplicates included, as RFC 3550 counts them). */
  get packetsReceived(): number {
    return this.#received;
  }

  /** Packets expected but not received; 0 while duplicates outnumber the losses. */
  get packetsLost(): number {
    if (this.#received === 0) return 0;
    const expected = this.#highestSequence - this.#baseSequence + 1;
    return Math.max(0, expected - this.#received);
  }

  /** The interarrival jitter in seconds. */
  get jitterSeconds(): number {
    return this.#clockRate > 0 ? this.#jitter / this.#clockRate : 0;
  }

  #restart(packet: ReceivedRtpPacket, clockRate: number): void {
    this.#ssrc = packet.ssrc;
    this.#clockRate = clockRate;
    this.#received = 0;
    this.#baseSequence = packet.sequenceNumber;
    this.#highestSequence = packet.sequenceNumber;
    this.#previousTransit = undefined;
    this.#jitter = 0;
  }
}

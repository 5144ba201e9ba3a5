/** One packet as it was sent on an outgoing stream: what it takes to send it again. */
export interface SentRtpPacket {
  sequenceNumber: number;
  timestamp: number;
  payloadType: number;
  marker: boolean;
  payload: Buffer;
  /** When it was last retransmitted (performance.now() ms), or -Infinity. */
  retransmittedAtMs: number;
}

/** The header fields and payload of a packet to remember. */
export interface RtpPacketToStore {
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly payloadType: number;
  readonly marker: boolean;
  readonly payload: Buffer;
}

/**
 * Default number of packets kept per stream: about four seconds of 720p video at 2.5 Mbit/s,
 * far longer than the round trip of a NACK on any network a call survives.
 */
export const DEFAULT_HISTORY_SIZE = 1024;

/**
 * The packets last sent on one outgoing stream, by the sequence number the receiver saw, so
 * that a NACK can be answered with the very same packet. A ring of slots indexed by the low
 * bits of the sequence number: storing is one write and never allocates once the ring is full,
 * and a lookup checks the slot still holds that sequence number.
 */
export class RtpPacketHistory {
  readonly #slots: (SentRtpPacket | undefined)[];
  readonly #mask: number;

  /** @param size a power of two (the ring is indexed by the low bits of the sequence number) */
  constructor(size = DEFAULT_HISTORY_SIZE) {
    if (!Number.isInteger(size) || size < 1 || size > 0x10000 || (size & (size - 1)) !== 0) {
      throw new RangeError(`An RTP history size must be a power of two up to 65536, got ${size}.`);
    }
    this.#slots = new Array(size);
    this.#mask = size - 1;
  }

  /** Remembers a packet just sent, replacing the one sent `size` sequence numbers earlier. */
  store(packet: RtpPacketToStore): void {
    const index = packet.sequenceNumber & this.#mask;
    const slot = this.#slots[index];
    if (slot === undefined) {
      this.#slots[index] = { ...packet, retransmittedAtMs: Number.NEGATIVE_INFINITY };
      return;
    }
    slot.sequenceNumber = packet.sequenceNumber;
    slot.timestamp = packet.timestamp;
    slot.payloadType = packet.payloadType;
    slot.marker = packet.marker;
    slot.payload = packet.payload;
    slot.retransmittedAtMs = Number.NEGATIVE_INFINITY;
  }

  /** The packet sent with this sequence number, unless it was overwritten since. */
  get(sequenceNumber: number): SentRtpPacket | undefined {
    const slot = this.#slots[sequenceNumber & this.#mask];
    return slot?.sequenceNumber === sequenceNumber ? slot : undefined;
  }
}

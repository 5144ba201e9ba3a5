/** One packet as it was sent on an outgoing stream: what it takes to send it again. */
export interface SentRtpPacket {
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly payloadType: number;
  readonly marker: boolean;
  readonly payload: Buffer;
  /** When it was last retransmitted (performance.now() ms, see `markRetransmitted`), or -Infinity. */
  readonly retransmittedAtMs: number;
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

const MARKER_BIT = 0x80;
const PAYLOAD_TYPE_MASK = 0x7f;

/**
 * The packets last sent on one outgoing stream, by the sequence number the receiver saw, so
 * that a NACK can be answered with the very same packet. A ring of slots indexed by the low
 * bits of the sequence number: storing is a few writes into typed arrays and never allocates,
 * and a lookup checks the slot still holds that sequence number.
 *
 * The slots are columns (sequence numbers, timestamps, payload type and marker, resend times,
 * and the payloads by reference), not one object per packet: every subscriber of a stream keeps
 * a history, and objects of mutable number fields cost about 350 bytes a slot in V8 (hidden
 * classes and boxed numbers), some 24 bytes here. The payloads are the graph's own Buffers,
 * shared by every sink of a source (the graph never writes them), so nothing is copied. The
 * columns are allocated when the first packet is stored: an endpoint that never sends costs
 * nothing.
 */
export class RtpPacketHistory {
  readonly #size: number;
  readonly #mask: number;
  #columns: HistoryColumns | undefined;

  /** @param size a power of two (the ring is indexed by the low bits of the sequence number) */
  constructor(size = DEFAULT_HISTORY_SIZE) {
    if (!Number.isInteger(size) || size < 1 || size > 0x10000 || (size & (size - 1)) !== 0) {
      throw new RangeError(`An RTP history size must be a power of two up to 65536, got ${size}.`);
    }
    this.#size = size;
    this.#mask = size - 1;
  }

  /** Remembers a packet just sent, replacing the one sent `size` sequence numbers earlier. */
  store(packet: RtpPacketToStore): void {
    this.#columns ??= new HistoryColumns(this.#size);
    const columns = this.#columns;
    const index = packet.sequenceNumber & this.#mask;
    columns.sequenceNumbers[index] = packet.sequenceNumber;
    columns.timestamps[index] = packet.timestamp;
    columns.payloadTypes[index] =
      (packet.payloadType & PAYLOAD_TYPE_MASK) | (packet.marker ? MARKER_BIT : 0);
    columns.retransmittedAtMs[index] = Number.NEGATIVE_INFINITY;
    columns.payloads[index] = packet.payload;
  }

  /** The packet sent with this sequence number, unless it was overwritten since. */
  get(sequenceNumber: number): SentRtpPacket | undefined {
    const columns = this.#columns;
    const index = sequenceNumber & this.#mask;
    const payload = columns?.payloads[index];
    if (!columns || !payload || columns.sequenceNumbers[index] !== sequenceNumber) return undefined;
    const payloadTypeAndMarker = columns.payloadTypes[index] as number;
    return {
      sequenceNumber,
      timestamp: columns.timestamps[index] as number,
      payloadType: payloadTypeAndMarker & PAYLOAD_TYPE_MASK,
      marker: (payloadTypeAndMarker & MARKER_BIT) !== 0,
      payload,
      retransmittedAtMs: columns.retransmittedAtMs[index] as number,
    };
  }

  /** Notes that the packet with this sequence number was resent at `nowMs`, if still kept. */
  markRetransmitted(sequenceNumber: number, nowMs: number): void {
    const columns = this.#columns;
    const index = sequenceNumber & this.#mask;
    if (columns?.sequenceNumbers[index] === sequenceNumber) {
      columns.retransmittedAtMs[index] = nowMs;
    }
  }
}

/** The slots of a history, one typed array per field. */
class HistoryColumns {
  /** -1 marks a slot never written (0 is a valid sequence number). */
  readonly sequenceNumbers: Int32Array;
  readonly timestamps: Uint32Array;
  /** Payload type in the low 7 bits, the marker in the high bit. */
  readonly payloadTypes: Uint8Array;
  readonly retransmittedAtMs: Float64Array;
  readonly payloads: (Buffer | undefined)[];

  constructor(size: number) {
    this.sequenceNumbers = new Int32Array(size).fill(-1);
    this.timestamps = new Uint32Array(size);
    this.payloadTypes = new Uint8Array(size);
    this.retransmittedAtMs = new Float64Array(size);
    this.payloads = new Array<Buffer | undefined>(size).fill(undefined);
  }
}

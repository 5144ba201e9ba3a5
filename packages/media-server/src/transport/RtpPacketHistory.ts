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
 * Most packets kept per stream: about four seconds of 720p video at 2.5 Mbit/s, far longer than
 * the round trip of a NACK on any network a call survives.
 */
export const DEFAULT_HISTORY_SIZE = 1024;

/** Slots a history starts with: two seconds of a 500 kbit/s stream. */
const DEFAULT_INITIAL_SIZE = 128;

/**
 * How long a packet stays resendable while the ring may still grow. A retransmission later than
 * this reaches a receiver whose jitter buffer has given up on the frame (mediasoup bounds its
 * video retransmission buffer at 2 s too).
 */
const DEFAULT_RETENTION_MS = 2000;

/** How a history sizes its ring. */
export interface RtpPacketHistoryOptions {
  /** Most packets kept, a power of two up to 65536 (default 1024). */
  readonly maxPackets?: number;
  /** Slots allocated with the first packet, a power of two ≤ maxPackets (default 128). */
  readonly initialPackets?: number;
  /**
   * The ring doubles (up to maxPackets) rather than overwrite a packet younger than this, so it
   * holds `retentionMs` of the stream at its own packet rate (default 2000 ms).
   */
  readonly retentionMs?: number;
  /** Milliseconds on a monotonic clock (default `performance.now`). */
  readonly clock?: () => number;
}

const MARKER_BIT = 0x80;
const PAYLOAD_TYPE_MASK = 0x7f;

/**
 * The packets last sent on one outgoing stream, by the sequence number the receiver saw, so
 * that a NACK can be answered with the very same packet. A ring of slots indexed by the low
 * bits of the sequence number: storing is a few writes into typed arrays, and a lookup checks
 * the slot still holds that sequence number.
 *
 * The slots are columns (sequence numbers, timestamps, payload type and marker, store and resend
 * times, and the payloads by reference), not one object per packet: every subscriber of a stream
 * keeps a history, and objects of mutable number fields cost about 350 bytes a slot in V8 (hidden
 * classes and boxed numbers), some 32 bytes here. The payloads are the graph's own Buffers,
 * shared by every sink of a source (the graph never writes them), so nothing is copied.
 *
 * The ring is sized by time, not by a fixed count: it starts small and doubles whenever the
 * packet it would overwrite is younger than the retention time, so a 1 Mbit/s stream keeps 256
 * slots (~7 KB) where a fixed 1024 cost ~26 KB per subscriber. Nothing is allocated until the
 * first packet: an endpoint that never sends costs nothing.
 */
export class RtpPacketHistory {
  readonly #maxSize: number;
  readonly #initialSize: number;
  readonly #retentionMs: number;
  readonly #clock: () => number;
  #columns: HistoryColumns | undefined;

  constructor(options: RtpPacketHistoryOptions = {}) {
    this.#maxSize = checkedSize('maxPackets', options.maxPackets ?? DEFAULT_HISTORY_SIZE);
    this.#initialSize = checkedSize(
      'initialPackets',
      options.initialPackets ?? Math.min(DEFAULT_INITIAL_SIZE, this.#maxSize),
    );
    if (this.#initialSize > this.#maxSize) {
      throw new RangeError(
        `initialPackets (${this.#initialSize}) must not exceed maxPackets (${this.#maxSize}).`,
      );
    }
    this.#retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    this.#clock = options.clock ?? (() => performance.now());
  }

  /** Slots currently allocated (0 until the first packet). */
  get capacity(): number {
    return this.#columns?.size ?? 0;
  }

  /** Remembers a packet just sent, in the slot of its sequence number (growing the ring first if that slot holds a packet younger than the retention time). */
  store(packet: RtpPacketToStore): void {
    const nowMs = this.#clock();
    this.#columns ??= new HistoryColumns(this.#initialSize);
    let columns = this.#columns;
    let index = packet.sequenceNumber & columns.mask;
    while (
      columns.size < this.#maxSize &&
      columns.payloads[index] !== undefined &&
      columns.sequenceNumbers[index] !== packet.sequenceNumber &&
      nowMs - (columns.storedAtMs[index] as number) < this.#retentionMs
    ) {
      columns = columns.doubled();
      this.#columns = columns;
      index = packet.sequenceNumber & columns.mask;
    }
    columns.sequenceNumbers[index] = packet.sequenceNumber;
    columns.timestamps[index] = packet.timestamp;
    columns.payloadTypes[index] =
      (packet.payloadType & PAYLOAD_TYPE_MASK) | (packet.marker ? MARKER_BIT : 0);
    columns.storedAtMs[index] = nowMs;
    columns.retransmittedAtMs[index] = Number.NEGATIVE_INFINITY;
    columns.payloads[index] = packet.payload;
  }

  /** The packet sent with this sequence number, unless it was overwritten since. */
  get(sequenceNumber: number): SentRtpPacket | undefined {
    const columns = this.#columns;
    if (!columns) return undefined;
    const index = sequenceNumber & columns.mask;
    const payload = columns?.payloads[index];
    if (!payload || columns.sequenceNumbers[index] !== sequenceNumber) return undefined;
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
    if (columns?.sequenceNumbers[sequenceNumber & columns.mask] === sequenceNumber) {
      columns.retransmittedAtMs[sequenceNumber & columns.mask] = nowMs;
    }
  }
}

function checkedSize(name: string, size: number): number {
  if (!Number.isInteger(size) || size < 1 || size > 0x10000 || (size & (size - 1)) !== 0) {
    throw new RangeError(`${name} must be a power of two up to 65536, got ${size}.`);
  }
  return size;
}

/** The slots of a history, one typed array per field. */
class HistoryColumns {
  readonly mask: number;
  /** -1 marks a slot never written (0 is a valid sequence number). */
  readonly sequenceNumbers: Int32Array;
  readonly timestamps: Uint32Array;
  /** Payload type in the low 7 bits, the marker in the high bit. */
  readonly payloadTypes: Uint8Array;
  readonly storedAtMs: Float64Array;
  readonly retransmittedAtMs: Float64Array;
  readonly payloads: (Buffer | undefined)[];

  constructor(readonly size: number) {
    this.mask = size - 1;
    this.sequenceNumbers = new Int32Array(size).fill(-1);
    this.timestamps = new Uint32Array(size);
    this.payloadTypes = new Uint8Array(size);
    this.storedAtMs = new Float64Array(size);
    this.retransmittedAtMs = new Float64Array(size);
    this.payloads = new Array<Buffer | undefined>(size).fill(undefined);
  }

  /**
   * Twice the slots, every kept packet moved to its slot in the larger ring: packets in distinct
   * slots modulo `size` stay distinct modulo `2 × size`.
   */
  doubled(): HistoryColumns {
    const larger = new HistoryColumns(this.size * 2);
    for (let from = 0; from < this.size; from++) {
      const payload = this.payloads[from];
      if (payload === undefined) continue;
      const sequenceNumber = this.sequenceNumbers[from] as number;
      const to = sequenceNumber & larger.mask;
      larger.sequenceNumbers[to] = sequenceNumber;
      larger.timestamps[to] = this.timestamps[from] as number;
      larger.payloadTypes[to] = this.payloadTypes[from] as number;
      larger.storedAtMs[to] = this.storedAtMs[from] as number;
      larger.retransmittedAtMs[to] = this.retransmittedAtMs[from] as number;
      larger.payloads[to] = payload;
    }
    return larger;
  }
}

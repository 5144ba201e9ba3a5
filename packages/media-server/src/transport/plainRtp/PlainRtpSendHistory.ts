import { DEFAULT_HISTORY_SIZE, RtpPacketHistory } from '../RtpPacketHistory.js';

/**
 * A NACKed packet is resent at most once per this interval: a receiver repeats its NACK until
 * the packet arrives, and the first copy may still be on its way (as for WebRTC peers).
 */
const MIN_RETRANSMIT_INTERVAL_MS = 10;

/** A packet of the history, as it is sent again. */
export interface ResendablePacket {
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly payloadType: number;
  readonly marker: boolean;
  readonly payload: Buffer;
}

/**
 * What an RtpEndpoint sent on one medium, kept to answer the peer's generic NACKs. It uses the
 * shared {@link RtpPacketHistory} through its store/get API only, and paces retransmissions
 * itself, so a history shared between streams never carries one peer's pacing to another.
 */
export class PlainRtpSendHistory {
  readonly #history = new RtpPacketHistory();
  readonly #mask = DEFAULT_HISTORY_SIZE - 1;
  /** When each slot's packet was last resent (-Infinity: never), with the sequence number it was. */
  readonly #resentAtMs = new Float64Array(DEFAULT_HISTORY_SIZE).fill(Number.NEGATIVE_INFINITY);
  readonly #resentSequence = new Int32Array(DEFAULT_HISTORY_SIZE).fill(-1);

  /** Remembers a packet just sent (its payload is kept, not copied: the graph never writes it). */
  store(packet: ResendablePacket): void {
    this.#history.store(packet);
  }

  /**
   * The packet sent with `sequenceNumber` if it is still kept and was not resent within the
   * last few milliseconds; marks it resent now.
   */
  takeForResend(sequenceNumber: number, nowMs: number): ResendablePacket | undefined {
    const sent = this.#history.get(sequenceNumber);
    if (!sent) return undefined;
    const slot = sequenceNumber & this.#mask;
    if (
      this.#resentSequence[slot] === sequenceNumber &&
      nowMs - (this.#resentAtMs[slot] as number) < MIN_RETRANSMIT_INTERVAL_MS
    ) {
      return undefined;
    }
    this.#resentSequence[slot] = sequenceNumber;
    this.#resentAtMs[slot] = nowMs;
    return sent;
  }
}

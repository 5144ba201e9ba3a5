const SEQUENCE_MODULO = 0x10000;
/** Past this many packets after a switch, reordered packets from before it can no longer come. */
const REORDER_WINDOW = 0x4000;

/** The header fields a rewrite reads. */
export interface RtpHeaderFields {
  /** The packet's SSRC: a new one means a new input stream. */
  readonly ssrc: number;
  /** The packet's sequence number (16 bits). */
  readonly sequenceNumber: number;
  /** The packet's RTP timestamp (32 bits), in units of the codec's clock. */
  readonly timestamp: number;
}

/**
 * Turns the RTP streams a sink receives over time (one source, then another, or the same source
 * restarting with a new SSRC) into one continuous stream for its receiver: a fixed SSRC,
 * sequence numbers that continue by one across a switch, and timestamps that continue by the
 * wall-clock time that passed. Packets from before a switch that arrive late are dropped, so
 * the receiver never sees sequence numbers go back.
 */
export class RtpStreamRewriter {
  /** The SSRC the receiver sees. */
  readonly ssrc: number;
  /** Output of the last accepted `rewrite` call. */
  sequenceNumber = 0;
  /** Output of the last accepted `rewrite` call. */
  timestamp = 0;

  #started = false;
  #switchPending = true;
  #inputSsrc = 0;
  #sequenceOffset = 0;
  #timestampOffset = 0;
  #baseInputSequence = 0;
  #guardingReorder = false;
  #highestInputSequence = 0;
  #timestampAtHighest = 0;
  #lastPacketAtMs = 0;

  constructor(ssrc: number) {
    this.ssrc = ssrc >>> 0;
  }

  /** The next packet comes from another source: continue the output stream from there. */
  switchSource(): void {
    this.#switchPending = true;
  }

  /**
   * Computes the output sequence number and timestamp of `packet` into `this.sequenceNumber`
   * and `this.timestamp`. Returns false when the packet must be dropped (it is older than the
   * last switch). `clockRate` is the codec's RTP clock; `nowMs` a monotonic clock in ms.
   */
  rewrite(packet: RtpHeaderFields, clockRate: number, nowMs: number): boolean {
    if (this.#switchPending || packet.ssrc !== this.#inputSsrc) {
      this.#rebase(packet, clockRate, nowMs);
    } else if (!this.#accept(packet)) {
      return false;
    }
    this.sequenceNumber = (packet.sequenceNumber + this.#sequenceOffset) % SEQUENCE_MODULO;
    this.timestamp = (packet.timestamp + this.#timestampOffset) >>> 0;
    this.#lastPacketAtMs = nowMs;
    return true;
  }

  #rebase(packet: RtpHeaderFields, clockRate: number, nowMs: number): void {
    if (this.#started) {
      const highestOutput = (this.#highestInputSequence + this.#sequenceOffset) % SEQUENCE_MODULO;
      const elapsedTicks = Math.round(((nowMs - this.#lastPacketAtMs) * clockRate) / 1000);
      const nextTimestamp =
        (this.#timestampAtHighest + this.#timestampOffset + Math.max(1, elapsedTicks)) >>> 0;
      this.#sequenceOffset = modulo(highestOutput + 1 - packet.sequenceNumber, SEQUENCE_MODULO);
      this.#timestampOffset = (nextTimestamp - packet.timestamp) >>> 0;
      this.#guardingReorder = true;
    }
    this.#started = true;
    this.#switchPending = false;
    this.#inputSsrc = packet.ssrc;
    this.#baseInputSequence = packet.sequenceNumber;
    this.#highestInputSequence = packet.sequenceNumber;
    this.#timestampAtHighest = packet.timestamp;
  }

  /** Tracks the highest sequence number; rejects packets from before the last switch. */
  #accept(packet: RtpHeaderFields): boolean {
    const aheadOfHighest = modulo(
      packet.sequenceNumber - this.#highestInputSequence,
      SEQUENCE_MODULO,
    );
    if (aheadOfHighest !== 0 && aheadOfHighest < SEQUENCE_MODULO / 2) {
      this.#highestInputSequence = packet.sequenceNumber;
      this.#timestampAtHighest = packet.timestamp;
    }
    if (!this.#guardingReorder) return true;
    const sinceBase = modulo(packet.sequenceNumber - this.#baseInputSequence, SEQUENCE_MODULO);
    if (sinceBase >= SEQUENCE_MODULO / 2) return false;
    if (
      modulo(this.#highestInputSequence - this.#baseInputSequence, SEQUENCE_MODULO) > REORDER_WINDOW
    ) {
      this.#guardingReorder = false;
    }
    return true;
  }
}

function modulo(value: number, modulus: number): number {
  return ((value % modulus) + modulus) % modulus;
}

/** One packet as the assembler keeps it (the graph reuses its packet objects). */
interface HeldPacket {
  readonly sequence: number;
  readonly timestamp: number;
  readonly marker: boolean;
  readonly payload: Buffer;
  readonly arrivedAtMs: number;
}

/** The packets of one frame, in order, all present. */
export interface AssembledFrame {
  /** The frame's 32-bit RTP timestamp. */
  readonly timestamp: number;
  readonly payloads: readonly Buffer[];
  /** When its last packet arrived (ms, the caller's clock). */
  readonly completedAtMs: number;
}

export interface RtpFrameAssemblerOptions {
  /** Audio: every packet is a frame. Video: a frame ends at the marker bit. */
  readonly packetPerFrame: boolean;
  /** Whether a payload begins a frame, to restart cleanly after a loss. */
  readonly startsFrame: (payload: Buffer) => boolean;
  /**
   * How long a missing packet is waited for (a NACK retransmission or a reordered packet)
   * before it is given up as lost.
   */
  readonly maxWaitMs: number;
  readonly onFrame: (frame: AssembledFrame) => void;
  /** Packets were given up: the frames that depended on them are gone. */
  readonly onLoss: () => void;
}

const SEQUENCE_MODULO = 0x10000;
/** A jump further than this is a new stream, not loss. */
const MAX_SEQUENCE_JUMP = 3000;
/** Never hold more packets than this, whatever the wait (a burst of loss on a big frame). */
const MAX_HELD_PACKETS = 2000;

/**
 * Puts RTP packets back in sequence order and groups them into frames. A frame is handed on
 * only when every one of its packets is there; a packet missing for longer than `maxWaitMs` is
 * declared lost, and the frame it belonged to is dropped.
 */
export class RtpFrameAssembler {
  readonly #options: RtpFrameAssemblerOptions;
  readonly #held = new Map<number, HeldPacket>();
  /** Extended sequence number of the next packet to hand on. */
  #next: number | undefined;
  #highest = 0;
  /** After a loss, packets are skipped until one begins a frame. */
  #seekingFrameStart = true;

  constructor(options: RtpFrameAssemblerOptions) {
    this.#options = options;
  }

  push(sequenceNumber: number, timestamp: number, marker: boolean, payload: Buffer, nowMs: number) {
    const sequence = this.#extend(sequenceNumber);
    if (this.#next === undefined || sequence - this.#next > MAX_SEQUENCE_JUMP) {
      this.#restartAt(sequence);
    }
    const next = this.#next as number;
    if (sequence < next || this.#held.has(sequence)) return;
    this.#held.set(sequence, { sequence, timestamp, marker, payload, arrivedAtMs: nowMs });
    this.#drain(nowMs);
  }

  /** Drops everything held (recording paused or stopped). */
  reset(): void {
    this.#held.clear();
    this.#next = undefined;
    this.#seekingFrameStart = true;
  }

  #drain(nowMs: number): void {
    for (;;) {
      if (this.#emitNextFrame(nowMs)) continue;
      if (this.#held.size === 0) return;
      const oldest = this.#held.get(Math.min(...this.#held.keys())) as HeldPacket;
      const waitedTooLong = nowMs - oldest.arrivedAtMs > this.#options.maxWaitMs;
      if (!waitedTooLong && this.#held.size < MAX_HELD_PACKETS) return;
      this.#skipLostPackets();
    }
  }

  /** Hands on the frame starting at `#next` if it is complete; false when it is not. */
  #emitNextFrame(nowMs: number): boolean {
    const next = this.#next as number;
    const first = this.#held.get(next);
    if (!first) return false;
    if (this.#seekingFrameStart && !this.#options.startsFrame(first.payload)) {
      this.#held.delete(next);
      this.#next = next + 1;
      return true;
    }
    const packets: HeldPacket[] = [first];
    let complete = this.#options.packetPerFrame || first.marker;
    for (let sequence = next + 1; !complete; sequence++) {
      const packet = this.#held.get(sequence);
      if (!packet) return false;
      // A new timestamp means the previous frame ended without a marker (a sender quirk).
      if (packet.timestamp !== first.timestamp) break;
      packets.push(packet);
      complete = packet.marker;
    }
    for (const packet of packets) this.#held.delete(packet.sequence);
    this.#next = next + packets.length;
    this.#seekingFrameStart = false;
    this.#options.onFrame({
      timestamp: first.timestamp,
      payloads: packets.map((packet) => packet.payload),
      completedAtMs: nowMs,
    });
    return true;
  }

  /** Gives up the missing packet(s): drops the partial frame and resumes at the next held one. */
  #skipLostPackets(): void {
    // The packets from `next` up to the gap belong to a frame that can no longer be completed.
    let sequence = this.#next as number;
    while (this.#held.delete(sequence)) sequence++;
    this.#next = this.#held.size > 0 ? Math.min(...this.#held.keys()) : sequence;
    this.#seekingFrameStart = true;
    this.#options.onLoss();
  }

  #restartAt(sequence: number): void {
    this.#held.clear();
    this.#next = sequence;
    this.#highest = sequence;
    this.#seekingFrameStart = true;
  }

  /** Extends a 16-bit sequence number against the highest one seen (wrap-around safe). */
  #extend(sequenceNumber: number): number {
    if (this.#next === undefined) return sequenceNumber;
    const low = this.#highest % SEQUENCE_MODULO;
    let delta = (sequenceNumber - low + SEQUENCE_MODULO) % SEQUENCE_MODULO;
    if (delta >= SEQUENCE_MODULO / 2) delta -= SEQUENCE_MODULO;
    const sequence = this.#highest + delta;
    if (sequence > this.#highest) this.#highest = sequence;
    return sequence;
  }
}

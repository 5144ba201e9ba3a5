/** An inbound stream's packet counts at the previous `getStats`. */
interface InboundSample {
  readonly expected: number;
  readonly received: number;
}

/** An outbound stream's byte count at the previous `getStats`. */
interface OutboundSample {
  readonly bytesSent: number;
  readonly atMs: number;
}

/**
 * The figures Kurento reports "since the last report" (fraction lost, bitrate), computed between
 * two `getStats` calls of one endpoint from the running totals werift keeps, so nothing is added
 * to the packet path. Keeps one sample per stream id.
 */
export class StatsIntervals {
  readonly #inbound = new Map<string, InboundSample>();
  readonly #outbound = new Map<string, OutboundSample>();

  /**
   * The fraction of the packets of inbound stream `id` lost since the previous call (since the
   * stream began, on the first), as an RTCP report block says it: times 256, 0 to 255.
   */
  fractionLost(id: string, packetsReceived: number, packetsLost: number): number {
    const expected = packetsReceived + packetsLost;
    const previous = this.#inbound.get(id) ?? { expected: 0, received: 0 };
    this.#inbound.set(id, { expected, received: packetsReceived });
    const expectedInterval = expected - previous.expected;
    const lostInterval = expectedInterval - (packetsReceived - previous.received);
    if (expectedInterval <= 0 || lostInterval <= 0) return 0;
    return Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
  }

  /** The bit/s outbound stream `id` sent since the previous call; 0 on the first. */
  bitrate(id: string, bytesSent: number, nowMs: number): number {
    const previous = this.#outbound.get(id);
    this.#outbound.set(id, { bytesSent, atMs: nowMs });
    if (!previous || nowMs <= previous.atMs || bytesSent < previous.bytesSent) return 0;
    return Math.round(((bytesSent - previous.bytesSent) * 8 * 1000) / (nowMs - previous.atMs));
  }

  /** Forgets the streams not in `ids` (they ended). */
  keepOnly(ids: ReadonlySet<string>): void {
    for (const samples of [this.#inbound, this.#outbound]) {
      for (const id of samples.keys()) if (!ids.has(id)) samples.delete(id);
    }
  }
}

/**
 * Numbers the offer/answer negotiations of one WebRTC peer, so that messages of an older one are
 * recognised and dropped. They do arrive: socket.io replays the events a client missed while it
 * was reconnecting, and an answer or candidates of a negotiation that a newer offer (an ICE
 * restart, a renegotiation after the session was lost) has replaced can still be on their way.
 *
 * Every offer, answer and candidate carries the epoch of its negotiation. The side that offers
 * starts the next epoch; the other side adopts it when it is newer than the one it knows.
 */
export class NegotiationEpoch {
  #current = 0;

  /** The epoch of the latest negotiation; 0 before the first one. */
  get current(): number {
    return this.#current;
  }

  /** Starts a negotiation on this side and returns its epoch. */
  next(): number {
    this.#current += 1;
    return this.#current;
  }

  /**
   * Takes on a negotiation started by the other side. Returns false, and changes nothing, when
   * `epoch` is not newer than the current one: the offer is stale (or raced an offer of ours).
   */
  adopt(epoch: number): boolean {
    if (!Number.isSafeInteger(epoch) || epoch <= this.#current) return false;
    this.#current = epoch;
    return true;
  }

  /** Whether a message of `epoch` belongs to the current negotiation (else drop it). */
  isCurrent(epoch: number): boolean {
    return epoch === this.#current;
  }
}

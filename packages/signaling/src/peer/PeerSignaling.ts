import type { SignalingClient } from '../client/SignalingClient.js';
import { SignalingError } from '../errors.js';
import type { Protocol } from '../protocol.js';
import { type Listenable, TypedEmitter } from '../TypedEmitter.js';
import { type IceCandidateInit, type NegotiablePeer, toCandidateInit } from './NegotiablePeer.js';
import { NegotiationEpoch } from './NegotiationEpoch.js';
import {
  type PeerCandidate,
  type PeerDescription,
  PeerMessage,
  type PeerSignalingProtocol,
} from './PeerSignalingProtocol.js';

/** The options of {@link attachPeer} and {@link PeerSignaling}. */
export interface PeerSignalingOptions {
  /** Names this peer in every message, for sessions that hold several peers. Default 'default'. */
  peerId?: string;
}

/** The events of a {@link PeerSignaling}. */
export interface PeerSignalingEvents {
  /** A message of another negotiation than the current one was dropped. */
  dropped: {
    /** What was dropped. */
    kind: 'offer' | 'answer' | 'candidate';
    /** The negotiation it belonged to. */
    epoch: number;
    /** The negotiation under way. */
    currentEpoch: number;
  };
  /** A failure outside any promise the application awaits: a candidate that could not be sent
   * or applied, a server offer that could not be answered. */
  error: Error;
}

/** Where one negotiation stands; candidates wait here until they may go. */
interface Negotiation {
  readonly epoch: number;
  /** The other side has our description: local candidates may be sent. */
  localSignaled: boolean;
  /** The remote description is applied: remote candidates may be added. */
  remoteApplied: boolean;
  readonly heldLocal: IceCandidateInit[];
  readonly heldRemote: IceCandidateInit[];
}

/**
 * Wires a WebRTC peer to a signaling client: offers and answers as requests, trickle-ICE
 * candidates both ways, each tagged with its negotiation epoch. Candidates are held until the
 * description they belong to is known to the other side (outgoing) or applied here (incoming),
 * so neither the peer nor the application server has to queue them; messages of an older
 * negotiation are dropped.
 *
 * ```ts
 * const signaling = await connect<AppProtocol>('/');
 * const link = attachPeer(signaling, peer);
 * await link.offer();
 * ```
 */
export class PeerSignaling implements Listenable<PeerSignalingEvents> {
  /** Names this peer in every message (option `peerId`, default `'default'`). */
  readonly peerId: string;
  readonly #client: SignalingClient<PeerSignalingProtocol>;
  readonly #peer: NegotiablePeer;
  readonly #epoch = new NegotiationEpoch();
  readonly #emitter = new TypedEmitter<PeerSignalingEvents>();
  #negotiation: Negotiation | undefined;

  constructor(
    client: SignalingClient<PeerSignalingProtocol>,
    peer: NegotiablePeer,
    options: PeerSignalingOptions = {},
  ) {
    this.peerId = options.peerId ?? 'default';
    this.#client = client;
    this.#peer = peer;
    peer.on('icecandidate', this.#onLocalCandidate);
    client.on(PeerMessage.candidate, this.#onRemoteCandidate);
    client.on(PeerMessage.offer, this.#onRemoteOffer);
  }

  /** The epoch of the current negotiation (0 before the first). */
  get epoch(): number {
    return this.#epoch.current;
  }

  /**
   * Negotiates from this side: the peer's offer goes to the server (`peer:offer`), its answer
   * comes back in the acknowledgement. Call it again for an ICE restart or a renegotiation.
   * Rejects with `SUPERSEDED` when a newer negotiation started meanwhile, and with the
   * request's `SignalingError` when the server fails.
   */
  async offer(): Promise<void> {
    const negotiation = this.#begin(this.#epoch.next());
    const { epoch } = negotiation;
    const sdp = await this.#peer.generateOffer();
    this.#assertCurrent(negotiation);
    const answer = await this.#client.request(PeerMessage.offer, {
      peerId: this.peerId,
      epoch,
      sdp,
    });
    if (!this.#isCurrent(negotiation)) {
      this.#drop('answer', epoch);
      this.#assertCurrent(negotiation);
    }
    this.#allowLocalCandidates(negotiation);
    await this.#peer.processAnswer(answer.sdp);
    this.#assertCurrent(negotiation);
    this.#allowRemoteCandidates(negotiation);
  }

  /** Stops listening to the peer and the client; held candidates are dropped. */
  detach(): void {
    this.#peer.off('icecandidate', this.#onLocalCandidate);
    this.#client.off(PeerMessage.candidate, this.#onRemoteCandidate);
    this.#client.off(PeerMessage.offer, this.#onRemoteOffer);
    this.#negotiation = undefined;
    this.#emitter.removeAllListeners();
  }

  on<K extends keyof PeerSignalingEvents>(
    event: K,
    listener: (payload: PeerSignalingEvents[K]) => void,
  ): this {
    this.#emitter.on(event, listener);
    return this;
  }

  once<K extends keyof PeerSignalingEvents>(
    event: K,
    listener: (payload: PeerSignalingEvents[K]) => void,
  ): this {
    this.#emitter.once(event, listener);
    return this;
  }

  off<K extends keyof PeerSignalingEvents>(
    event: K,
    listener: (payload: PeerSignalingEvents[K]) => void,
  ): this {
    this.#emitter.off(event, listener);
    return this;
  }

  readonly #onRemoteOffer = ({ peerId, epoch, sdp }: PeerDescription): void => {
    if (peerId !== this.peerId) return;
    if (!this.#epoch.adopt(epoch)) {
      this.#drop('offer', epoch);
      return;
    }
    this.#answer(this.#begin(epoch), sdp).catch((error: unknown) => this.#reportError(error));
  };

  async #answer(negotiation: Negotiation, sdpOffer: string): Promise<void> {
    const sdp = await this.#peer.processOffer(sdpOffer);
    if (!this.#isCurrent(negotiation)) return;
    this.#allowRemoteCandidates(negotiation);
    await this.#client.request(PeerMessage.answer, {
      peerId: this.peerId,
      epoch: negotiation.epoch,
      sdp,
    });
    if (this.#isCurrent(negotiation)) this.#allowLocalCandidates(negotiation);
  }

  readonly #onLocalCandidate = (candidate: IceCandidateInit): void => {
    const negotiation = this.#negotiation;
    if (!negotiation || !candidate) return;
    if (negotiation.localSignaled) this.#sendCandidate(negotiation, candidate);
    else negotiation.heldLocal.push(candidate);
  };

  readonly #onRemoteCandidate = ({ peerId, epoch, candidate }: PeerCandidate): void => {
    if (peerId !== this.peerId) return;
    const negotiation = this.#negotiation;
    if (!negotiation || epoch !== negotiation.epoch) {
      this.#drop('candidate', epoch);
      return;
    }
    if (negotiation.remoteApplied) this.#addCandidate(candidate);
    else negotiation.heldRemote.push(candidate);
  };

  #begin(epoch: number): Negotiation {
    this.#negotiation = {
      epoch,
      localSignaled: false,
      remoteApplied: false,
      heldLocal: [],
      heldRemote: [],
    };
    return this.#negotiation;
  }

  #allowLocalCandidates(negotiation: Negotiation): void {
    negotiation.localSignaled = true;
    for (const candidate of negotiation.heldLocal.splice(0)) {
      this.#sendCandidate(negotiation, candidate);
    }
  }

  #allowRemoteCandidates(negotiation: Negotiation): void {
    negotiation.remoteApplied = true;
    for (const candidate of negotiation.heldRemote.splice(0)) this.#addCandidate(candidate);
  }

  #sendCandidate(negotiation: Negotiation, candidate: IceCandidateInit): void {
    this.#client
      .request(PeerMessage.candidate, {
        peerId: this.peerId,
        epoch: negotiation.epoch,
        candidate: toCandidateInit(candidate),
      })
      .catch((error: unknown) => {
        // A candidate of a replaced negotiation is not worth a report.
        if (this.#isCurrent(negotiation)) this.#reportError(error);
      });
  }

  #addCandidate(candidate: IceCandidateInit): void {
    Promise.resolve()
      .then(() => this.#peer.addIceCandidate(candidate))
      .catch((error: unknown) => this.#reportError(error));
  }

  #isCurrent(negotiation: Negotiation): boolean {
    return this.#negotiation === negotiation;
  }

  #assertCurrent(negotiation: Negotiation): void {
    if (this.#isCurrent(negotiation)) return;
    throw new SignalingError(
      'SUPERSEDED',
      `negotiation ${negotiation.epoch} of peer "${this.peerId}" was replaced by a newer one before it completed`,
    );
  }

  #drop(kind: PeerSignalingEvents['dropped']['kind'], epoch: number): void {
    this.#emitter.emit('dropped', { kind, epoch, currentEpoch: this.#epoch.current });
  }

  #reportError(error: unknown): void {
    this.#emitter.emit('error', error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * Wires `peer` to `client` (see PeerSignaling). The application's protocol must include
 * `PeerSignalingProtocol`, and its server must handle those requests.
 */
export function attachPeer<P extends Protocol>(
  client: SignalingClient<P>,
  peer: NegotiablePeer,
  options?: PeerSignalingOptions,
): PeerSignaling {
  // The wiring speaks only the peer messages, whatever else the application's protocol holds.
  const peerClient = client as unknown as SignalingClient<PeerSignalingProtocol>;
  return new PeerSignaling(peerClient, peer, options);
}

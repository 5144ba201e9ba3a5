import { RTCPeerConnection } from 'werift';
import type { IceCandidateInit, NegotiablePeer } from '../../src/index.js';

type CandidateListener = (candidate: IceCandidateInit) => void;

/**
 * A real WebRTC peer in Node (werift) with the shape the signaling wiring needs, standing in for
 * the browser's WebRtcPeer. Loopback only, and no STUN server: tests run in scripts/isolated.sh.
 */
export class WeriftPeer implements NegotiablePeer {
  readonly connection = new RTCPeerConnection({
    iceServers: [],
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceUseIpv6: false,
  });
  /** Every remote candidate the wiring handed over, in order. */
  readonly addedCandidates: IceCandidateInit[] = [];
  readonly #listeners = new Set<CandidateListener>();

  constructor() {
    this.connection.onIceCandidate.subscribe((candidate) => {
      if (!candidate) return;
      for (const listener of this.#listeners) listener(candidate.toJSON() as IceCandidateInit);
    });
  }

  async generateOffer(): Promise<string> {
    await this.connection.setLocalDescription(await this.connection.createOffer());
    return this.#localSdp();
  }

  async processAnswer(sdpAnswer: string): Promise<void> {
    await this.connection.setRemoteDescription({ type: 'answer', sdp: sdpAnswer });
  }

  async processOffer(sdpOffer: string): Promise<string> {
    await this.connection.setRemoteDescription({ type: 'offer', sdp: sdpOffer });
    await this.connection.setLocalDescription(await this.connection.createAnswer());
    return this.#localSdp();
  }

  async addIceCandidate(candidate: IceCandidateInit): Promise<void> {
    this.addedCandidates.push(candidate);
    await this.connection.addIceCandidate({
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid ?? undefined,
      sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
    });
  }

  on(_event: 'icecandidate', listener: CandidateListener): this {
    this.#listeners.add(listener);
    return this;
  }

  off(_event: 'icecandidate', listener: CandidateListener): this {
    this.#listeners.delete(listener);
    return this;
  }

  /** Resolves when ICE is connected. */
  connected(): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (state: string) => {
        if (state === 'connected' || state === 'completed') resolve();
        if (state === 'failed') reject(new Error('ICE failed'));
      };
      check(this.connection.iceConnectionState);
      this.connection.iceConnectionStateChange.subscribe(check);
    });
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  #localSdp(): string {
    const sdp = this.connection.localDescription?.sdp;
    if (!sdp) throw new Error('werift has no local description');
    return sdp;
  }
}

import type {
  ElementParams,
  IceCandidateFoundEvent,
  MediaPipeline,
  WebRtcEndpoint,
} from '@medley/media-client';
import type { IceCandidateInit } from './IceCandidateInit.js';

/**
 * The media server's WebRtcEndpoint for one browser, with the trickle-ICE bookkeeping every demo
 * needs: the browser's candidates often arrive before the endpoint exists, so they wait here and
 * are handed over in order once it does; the endpoint's own candidates go to `sendCandidate`.
 * Create it as soon as the browser's offer arrives, then `create()` its endpoint.
 */
export class BrowserEndpoint {
  readonly #pendingCandidates: IceCandidateInit[] = [];
  #endpoint: WebRtcEndpoint | undefined;

  constructor(private readonly sendCandidate: (candidate: IceCandidateInit) => void) {}

  /**
   * Creates the endpoint in `pipeline` and starts forwarding its candidates. `endpointParams`
   * restricts its direction (`recvonly` for a browser that only sends, `sendonly` for one that
   * only receives).
   */
  async create(
    pipeline: MediaPipeline,
    endpointParams: ElementParams['WebRtcEndpoint'] = {},
  ): Promise<WebRtcEndpoint> {
    if (this.#endpoint) throw new Error('BrowserEndpoint.create() called twice');
    const endpoint = await pipeline.create('WebRtcEndpoint', endpointParams);
    try {
      await endpoint.on('IceCandidateFound', (event: IceCandidateFoundEvent) =>
        this.sendCandidate(event.candidate),
      );
    } catch (error) {
      // Without its candidates the endpoint is useless; in a long-lived pipeline it would leak.
      await endpoint.release().catch(() => undefined);
      throw error;
    }
    this.#endpoint = endpoint;
    return endpoint;
  }

  /**
   * Takes over an endpoint that is negotiated already (another app server created it, and the
   * browser's session moved here): its ICE is done, so no candidates are exchanged any more.
   */
  adopt(endpoint: WebRtcEndpoint): void {
    if (this.#endpoint) throw new Error('BrowserEndpoint.adopt() on an endpoint it has');
    this.#endpoint = endpoint;
  }

  /** The endpoint once `create()` resolved, else undefined. */
  get created(): WebRtcEndpoint | undefined {
    return this.#endpoint;
  }

  get endpoint(): WebRtcEndpoint {
    if (!this.#endpoint) throw new Error('BrowserEndpoint used before create() resolved');
    return this.#endpoint;
  }

  /** Answers the browser's offer, then lets the endpoint gather and trickle its candidates. */
  async negotiate(sdpOffer: string): Promise<string> {
    const sdpAnswer = await this.endpoint.processOffer(sdpOffer);
    for (const candidate of this.#pendingCandidates.splice(0)) {
      await this.addIceCandidate(candidate);
    }
    await this.endpoint.gatherCandidates();
    return sdpAnswer;
  }

  async addIceCandidate(candidate: IceCandidateInit): Promise<void> {
    if (!this.#endpoint) {
      this.#pendingCandidates.push(candidate);
      return;
    }
    await this.#endpoint.addIceCandidate({
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid ?? '',
      sdpMLineIndex: candidate.sdpMLineIndex ?? 0,
    });
  }
}

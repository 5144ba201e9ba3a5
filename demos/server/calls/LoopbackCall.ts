import type { MediaClient, MediaPipeline } from '@medley/media-client';
import { BrowserEndpoint } from './BrowserEndpoint.js';
import type { IceCandidateInit } from './IceCandidateInit.js';

/**
 * Hello world: one pipeline with one WebRtcEndpoint connected to itself, so the browser gets its
 * own camera back through the media server.
 */
export class LoopbackCall {
  readonly #pendingCandidates: IceCandidateInit[] = [];
  #pipeline: MediaPipeline | undefined;
  #browser: BrowserEndpoint | undefined;
  #stopped = false;

  constructor(
    private readonly client: MediaClient,
    private readonly sendCandidate: (candidate: IceCandidateInit) => void,
  ) {}

  /** Builds the pipeline and returns the SDP answer to the browser's offer. */
  async start(sdpOffer: string): Promise<string> {
    this.#pipeline = await this.client.create('MediaPipeline');
    try {
      this.#browser = await BrowserEndpoint.create(
        this.#pipeline,
        this.sendCandidate,
        this.#pendingCandidates.splice(0),
      );
      await this.#browser.endpoint.connect(this.#browser.endpoint);
      const sdpAnswer = await this.#browser.negotiate(sdpOffer);
      if (this.#stopped) throw new Error('The call was stopped while it was starting.');
      return sdpAnswer;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async addIceCandidate(candidate: IceCandidateInit): Promise<void> {
    if (this.#browser) await this.#browser.addIceCandidate(candidate);
    else this.#pendingCandidates.push(candidate);
  }

  /** Releases the pipeline (and so its endpoint). Safe to call more than once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const pipeline = this.#pipeline;
    this.#pipeline = undefined;
    this.#browser = undefined;
    await pipeline?.release();
  }
}

import type { MediaClient, MediaPipeline } from '@medley/media-client';
import { BrowserEndpoint } from './BrowserEndpoint.js';
import type { IceCandidateInit } from './IceCandidateInit.js';

/**
 * Hello world: one pipeline with one WebRtcEndpoint connected to itself, so the browser gets its
 * own camera back through the media server.
 */
export class LoopbackCall {
  readonly #browser: BrowserEndpoint;
  #pipeline: MediaPipeline | undefined;
  #stopped = false;

  constructor(
    private readonly client: MediaClient,
    sendCandidate: (candidate: IceCandidateInit) => void,
  ) {
    this.#browser = new BrowserEndpoint(sendCandidate);
  }

  /** Builds the pipeline and returns the SDP answer to the browser's offer. */
  async start(sdpOffer: string): Promise<string> {
    this.#pipeline = await this.client.create('MediaPipeline');
    try {
      const endpoint = await this.#browser.create(this.#pipeline);
      await endpoint.connect(endpoint);
      const sdpAnswer = await this.#browser.negotiate(sdpOffer);
      if (this.#stopped) throw new Error('The call was stopped while it was starting.');
      return sdpAnswer;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  addIceCandidate(candidate: IceCandidateInit): Promise<void> {
    return this.#browser.addIceCandidate(candidate);
  }

  /** Releases the pipeline (and so its endpoint). Safe to call more than once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const pipeline = this.#pipeline;
    this.#pipeline = undefined;
    await pipeline?.release();
  }
}

import type { MediaClient, MediaElement, MediaPipeline } from '@medley/media-client';
import { BrowserEndpoint } from './BrowserEndpoint.js';
import type { IceCandidateInit } from './IceCandidateInit.js';

/** Creates the filter of a call in its pipeline (and sets it up: images, event handlers). */
export type FilterFactory = (pipeline: MediaPipeline) => Promise<MediaElement>;

/**
 * The browser's camera through one filter and back: WebRtcEndpoint → filter → the same
 * WebRtcEndpoint, as in Kurento's magic-mirror tutorial.
 */
export class FilterLoopbackCall {
  readonly #browser: BrowserEndpoint;
  #pipeline: MediaPipeline | undefined;
  #stopped = false;

  constructor(
    private readonly client: MediaClient,
    private readonly createFilter: FilterFactory,
    sendCandidate: (candidate: IceCandidateInit) => void,
  ) {
    this.#browser = new BrowserEndpoint(sendCandidate);
  }

  /** Builds the pipeline and returns the SDP answer to the browser's offer. */
  async start(sdpOffer: string): Promise<string> {
    this.#pipeline = await this.client.create('MediaPipeline');
    try {
      const endpoint = await this.#browser.create(this.#pipeline);
      const filter = await this.createFilter(this.#pipeline);
      await endpoint.connect(filter);
      await filter.connect(endpoint);
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

  /** Releases the pipeline (and so its elements). Safe to call more than once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const pipeline = this.#pipeline;
    this.#pipeline = undefined;
    await pipeline?.release();
  }
}

import type { MediaClient, MediaElement, MediaPipeline } from '@medley/media-client';
import { BrowserEndpoint } from './BrowserEndpoint.js';
import type { IceCandidateInit } from './IceCandidateInit.js';

/** Creates the filter of a call in its pipeline (and sets it up: images, event handlers). */
export type FilterFactory = (pipeline: MediaPipeline) => Promise<MediaElement>;

/**
 * Hello world: one pipeline with one WebRtcEndpoint connected to itself, so the browser gets its
 * own camera back through the media server; with a filter (the magic mirror, the QR reader), the
 * camera goes WebRtcEndpoint → filter → the same WebRtcEndpoint, as in Kurento's tutorials.
 */
export class LoopbackCall {
  readonly #browser: BrowserEndpoint;
  #pipeline: MediaPipeline | undefined;
  #stopped = false;

  constructor(
    private readonly client: MediaClient,
    sendCandidate: (candidate: IceCandidateInit) => void,
    private readonly createFilter?: FilterFactory,
  ) {
    this.#browser = new BrowserEndpoint(sendCandidate);
  }

  /** Builds the pipeline and returns the SDP answer to the browser's offer. */
  async start(sdpOffer: string): Promise<string> {
    this.#pipeline = await this.client.create('MediaPipeline');
    try {
      const endpoint = await this.#browser.create(this.#pipeline);
      if (this.createFilter) {
        const filter = await this.createFilter(this.#pipeline);
        await endpoint.connect(filter);
        await filter.connect(endpoint);
      } else {
        await endpoint.connect(endpoint);
      }
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

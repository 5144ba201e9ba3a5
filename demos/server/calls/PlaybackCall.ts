import type {
  ConnectionStateChangedEvent,
  MediaClient,
  MediaPipeline,
  PlayerEndpoint,
} from '@medley/media-client';
import { describeError } from '../describeError.js';
import { BrowserEndpoint } from './BrowserEndpoint.js';
import type { IceCandidateInit } from './IceCandidateInit.js';

export interface PlaybackCallEvents {
  sendCandidate(candidate: IceCandidateInit): void;
  ended(): void;
  failed(message: string): void;
}

/**
 * Plays a file into a browser: PlayerEndpoint → WebRtcEndpoint. Playing starts once the
 * browser's connection is up, so the page sees the recording from its first second.
 */
export class PlaybackCall {
  readonly #browser: BrowserEndpoint;
  #pipeline: MediaPipeline | undefined;
  #player: PlayerEndpoint | undefined;
  #playing = false;

  constructor(
    private readonly client: MediaClient,
    private readonly events: PlaybackCallEvents,
  ) {
    this.#browser = new BrowserEndpoint(events.sendCandidate);
  }

  async start(sdpOffer: string, uri: string): Promise<string> {
    const pipeline = await this.client.create('MediaPipeline');
    this.#pipeline = pipeline;
    try {
      const player = await pipeline.create('PlayerEndpoint', { uri });
      this.#player = player;
      await player.on('EndOfStream', () => this.events.ended());
      await player.on('Error', (event) => this.events.failed(event.description));
      const endpoint = await this.#browser.create(pipeline, { sendonly: true });
      await endpoint.on('ConnectionStateChanged', (event) => this.#onConnection(event));
      await player.connect(endpoint);
      return await this.#browser.negotiate(sdpOffer);
    } catch (error) {
      await this.release();
      throw error;
    }
  }

  addIceCandidate(candidate: IceCandidateInit): Promise<void> {
    return this.#browser.addIceCandidate(candidate);
  }

  async release(): Promise<void> {
    const pipeline = this.#pipeline;
    this.#pipeline = undefined;
    this.#player = undefined;
    await pipeline?.release();
  }

  #onConnection(event: ConnectionStateChangedEvent): void {
    if (event.newState !== 'CONNECTED' || this.#playing || !this.#player) return;
    this.#playing = true;
    this.#player.play().catch((error: unknown) => this.events.failed(describeError(error)));
  }
}

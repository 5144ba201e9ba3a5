import type { MediaPipeline } from '../elements/MediaPipeline.js';
import type { WhipSession } from './WhipSession.js';

/**
 * One published stream: its pipeline, the publisher's session and the viewers' sessions. It
 * lives as long as its publisher: when that ends, the pipeline is released with every viewer.
 */
export class WhipStream {
  /** The `{stream}` of the URLs. */
  readonly name: string;
  /** The MediaPipeline holding the stream's endpoints (Kurento-Protocol clients can use it). */
  readonly pipeline: MediaPipeline;
  /** The session of the client that publishes (WHIP). */
  readonly publisher: WhipSession;
  /** The sessions of the clients that play (WHEP). */
  readonly viewers = new Set<WhipSession>();
  #ended = false;

  constructor(name: string, pipeline: MediaPipeline, publisher: WhipSession) {
    this.name = name;
    this.pipeline = pipeline;
    this.publisher = publisher;
  }

  get ended(): boolean {
    return this.#ended;
  }

  markEnded(): void {
    this.#ended = true;
  }
}

import {
  type Hub,
  type HubPort,
  isMediaServerError,
  type MediaObject,
  type MediaPipeline,
  type WebRtcEndpoint,
} from '@medley/media-client';
import { BrowserEndpoint } from './BrowserEndpoint.js';
import { CallError } from './CallError.js';
import type { IceCandidateInit } from './IceCandidateInit.js';

/**
 * Which way a browser's media goes: a publisher sends into the pipeline (its endpoint only
 * receives); a subscriber receives what `source` sends (its endpoint only sends, fed by
 * `source.connect(endpoint)`, so the media server forwards without transcoding); a hub member
 * sends into a HubPort of `hub` and receives what the port sends back (a Composite's mix).
 */
export type StreamRole =
  | { kind: 'publisher' }
  | { kind: 'subscriber'; source: WebRtcEndpoint }
  | { kind: 'hubMember'; hub: Hub };

/**
 * One browser stream of a multi-party demo: one WebRtcEndpoint in a shared pipeline. Unlike a
 * whole call, it is released on its own while the pipeline lives on, at any moment, including
 * while it is still negotiating.
 */
export class BrowserStream {
  readonly #browser: BrowserEndpoint;
  #port: HubPort | undefined;
  #started = false;
  #negotiated = false;
  #released = false;
  #endpointReleased = false;

  constructor(
    private readonly role: StreamRole,
    sendCandidate: (candidate: IceCandidateInit) => void,
  ) {
    this.#browser = new BrowserEndpoint(sendCandidate);
  }

  /**
   * The stream of a browser whose session moved here from another app server: `endpoint` is the
   * one that server negotiated, and keeps carrying the media (the media server did not stop it).
   */
  static adopt(role: StreamRole, endpoint: WebRtcEndpoint): BrowserStream {
    const stream = new BrowserStream(role, () => undefined);
    stream.#browser.adopt(endpoint);
    stream.#started = true;
    stream.#negotiated = true;
    return stream;
  }

  /** True once the browser has the answer and until the stream is released. */
  get negotiated(): boolean {
    return this.#negotiated && !this.#released;
  }

  get released(): boolean {
    return this.#released;
  }

  /** The endpoint in the pipeline, for `connect()`. Only once negotiated. */
  get endpoint(): WebRtcEndpoint {
    if (!this.negotiated) {
      throw new CallError('INVALID_STATE', 'This stream is not negotiated (yet, or any more).');
    }
    return this.#browser.endpoint;
  }

  /** Creates the endpoint in `pipeline`, answers the browser's offer and starts ICE. */
  async start(pipeline: MediaPipeline, sdpOffer: string): Promise<string> {
    this.#assertNotReleased();
    if (this.#started) {
      throw new CallError('INVALID_STATE', 'A stream is negotiated once: open a new one.');
    }
    this.#started = true;
    const endpoint = await this.#browser.create(pipeline, directionOf(this.role));
    try {
      this.#assertNotReleased();
      if (this.role.kind === 'subscriber') await this.role.source.connect(endpoint);
      if (this.role.kind === 'hubMember') {
        this.#port = await pipeline.create('HubPort', { hub: this.role.hub });
        this.#assertNotReleased();
        await endpoint.connect(this.#port);
        await this.#port.connect(endpoint);
      }
      const sdpAnswer = await this.#browser.negotiate(sdpOffer);
      this.#assertNotReleased();
      this.#negotiated = true;
      return sdpAnswer;
    } catch (error) {
      await this.release();
      throw error;
    }
  }

  async addIceCandidate(candidate: IceCandidateInit): Promise<void> {
    if (this.#released) return;
    await this.#browser.addIceCandidate(candidate);
  }

  /**
   * Releases the endpoint (and its HubPort). Safe to call more than once, while it is being
   * created (start() then releases it), and after the pipeline is gone.
   */
  async release(): Promise<void> {
    this.#released = true;
    const port = this.#port;
    this.#port = undefined;
    const endpoint = this.#endpointReleased ? undefined : this.#browser.created;
    if (endpoint) this.#endpointReleased = true;
    await Promise.all([
      endpoint && releaseIfStillThere(endpoint),
      port && releaseIfStillThere(port),
    ]);
  }

  #assertNotReleased(): void {
    if (this.#released) {
      throw new CallError('ENDED', 'The stream was stopped while it was being set up.');
    }
  }
}

function directionOf(role: StreamRole): { recvonly?: boolean; sendonly?: boolean } {
  if (role.kind === 'publisher') return { recvonly: true };
  if (role.kind === 'subscriber') return { sendonly: true };
  return {};
}

async function releaseIfStillThere(object: MediaObject): Promise<void> {
  try {
    await object.release();
  } catch (error) {
    // Releasing the pipeline released its elements already.
    if (!isMediaServerError(error, 'MEDIA_OBJECT_NOT_FOUND')) throw error;
  }
}

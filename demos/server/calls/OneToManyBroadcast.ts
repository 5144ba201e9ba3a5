import type { MediaClient, MediaPipeline, WebRtcEndpoint } from '@medley/media-client';
import { BrowserStream } from './BrowserStream.js';
import { CallError } from './CallError.js';
import type { IceCandidateInit } from './IceCandidateInit.js';

/** Where another app server finds a broadcast on the media server (see `follow`). */
export interface SharedBroadcast {
  /** The media server holding it (its Kurento-Protocol URL, as the presenter's app server has it). */
  mediaServerUrl: string;
  pipelineId: string;
  presenterEndpointId: string;
}

/**
 * The media of one broadcast: a pipeline holding the presenter's stream and one stream per
 * viewer, each fed by `presenter.connect(viewer)`. A viewer who joins late starts with a keyframe:
 * the media server asks the presenter for one as soon as the viewer can receive.
 *
 * With several app servers, the presenter's app server holds the broadcast and the others
 * `follow` it: their viewers get endpoints in the same pipeline, fed by the same presenter
 * endpoint, and only those viewers' endpoints are theirs to release.
 */
export class OneToManyBroadcast {
  readonly #presenter: BrowserStream;
  /** The presenter's endpoint when another app server negotiated it (see follow, takeOver). */
  #followedPresenter: WebRtcEndpoint | undefined;
  /** Whether the pipeline is this app server's to release: false while it only follows. */
  #owner = true;
  readonly #viewers = new Map<string, BrowserStream>();
  #pipeline: MediaPipeline | undefined;
  /** Settles when the presenter's negotiation does: viewers who come meanwhile wait for it. */
  #presenterReady: Promise<void> | undefined;
  #stopped = false;

  constructor(
    private readonly client: MediaClient,
    sendPresenterCandidate: (candidate: IceCandidateInit) => void,
  ) {
    this.#presenter = new BrowserStream({ kind: 'publisher' }, sendPresenterCandidate);
  }

  /**
   * The broadcast another app server started, found on the media server `client` talks to by
   * the ids it shared. Rejects (NO_PRESENTER) when the media server no longer has them.
   */
  static async follow(client: MediaClient, shared: SharedBroadcast): Promise<OneToManyBroadcast> {
    const broadcast = new OneToManyBroadcast(client, () => undefined);
    broadcast.#owner = false;
    try {
      broadcast.#pipeline = await client.getMediaObjectById<'MediaPipeline'>(shared.pipelineId);
      broadcast.#followedPresenter = await client.getMediaObjectById<'WebRtcEndpoint'>(
        shared.presenterEndpointId,
      );
    } catch {
      throw new CallError(
        'NO_PRESENTER',
        'The broadcast is over. Press View again once a presenter has started.',
      );
    }
    broadcast.#presenterReady = Promise.resolve();
    return broadcast;
  }

  /**
   * The presenter's session moved to this app server (theirs went away): the followed broadcast
   * becomes this server's, which now releases the pipeline when the presenter stops or leaves.
   */
  takeOver(): void {
    this.#owner = true;
  }

  /** The ids another app server needs to find this broadcast's viewers and presenter again. */
  get pipelineId(): string | undefined {
    return this.#pipeline?.id;
  }

  /** What another app server needs to `follow` this broadcast; undefined until it started. */
  shared(mediaServerUrl: string): SharedBroadcast | undefined {
    const pipeline = this.#pipeline;
    if (!pipeline || this.#stopped || !this.#presenter.negotiated) return undefined;
    return {
      mediaServerUrl,
      pipelineId: pipeline.id,
      presenterEndpointId: this.#presenter.endpoint.id,
    };
  }

  /** Builds the pipeline around the presenter's offer and returns the SDP answer. */
  start(sdpOffer: string): Promise<string> {
    const answer = this.#startPresenter(sdpOffer);
    this.#presenterReady = answer.then(
      () => undefined,
      () => {
        throw new CallError('NO_PRESENTER', 'The presenter could not start broadcasting.');
      },
    );
    // Nobody may be waiting; the caller of start() sees the failure through `answer`.
    this.#presenterReady.catch(() => undefined);
    return answer;
  }

  /** Viewers whose stream is negotiated. */
  get viewerCount(): number {
    let count = 0;
    for (const viewer of this.#viewers.values()) if (viewer.negotiated) count++;
    return count;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  addPresenterCandidate(candidate: IceCandidateInit): Promise<void> {
    return this.#presenter.addIceCandidate(candidate);
  }

  /** Gives `viewerId` its own endpoint fed by the presenter; returns the SDP answer. */
  async addViewer(
    viewerId: string,
    sdpOffer: string,
    sendCandidate: (candidate: IceCandidateInit) => void,
  ): Promise<string> {
    if (!this.#presenterReady)
      throw new CallError('NO_PRESENTER', 'The broadcast has not started.');
    await this.#presenterReady;
    const pipeline = this.#pipeline;
    if (this.#stopped || !pipeline) throw this.#endedError();
    if (this.#viewers.has(viewerId)) {
      throw new CallError('INVALID_STATE', 'This page is already watching: press Stop first.');
    }
    const viewer = new BrowserStream(
      { kind: 'subscriber', source: this.#followedPresenter ?? this.#presenter.endpoint },
      sendCandidate,
    );
    this.#viewers.set(viewerId, viewer);
    try {
      return await viewer.start(pipeline, sdpOffer);
    } catch (error) {
      if (this.#viewers.get(viewerId) === viewer) this.#viewers.delete(viewerId);
      await viewer.release();
      // Stopping the broadcast releases the pipeline under a viewer still negotiating.
      throw this.#stopped ? this.#endedError() : error;
    }
  }

  /**
   * Serves a viewer whose session moved here from another app server, with the endpoint that
   * server gave it (it still plays). Rejects (ENDED) when the media server no longer has it.
   */
  async adoptViewer(viewerId: string, endpointId: string): Promise<void> {
    if (this.#stopped || !this.#pipeline) throw this.#endedError();
    let endpoint: WebRtcEndpoint;
    try {
      endpoint = await this.client.getMediaObjectById<'WebRtcEndpoint'>(endpointId);
    } catch {
      throw new CallError('ENDED', 'Your stream ended while the demo server changed: press View.');
    }
    const source = this.#followedPresenter ?? this.#presenter.endpoint;
    this.#viewers.set(viewerId, BrowserStream.adopt({ kind: 'subscriber', source }, endpoint));
  }

  /** The endpoint id of a viewer's stream, once negotiated: what moves with its session. */
  viewerEndpointId(viewerId: string): string | undefined {
    const viewer = this.#viewers.get(viewerId);
    return viewer?.negotiated ? viewer.endpoint.id : undefined;
  }

  async addViewerCandidate(viewerId: string, candidate: IceCandidateInit): Promise<void> {
    await this.#viewers.get(viewerId)?.addIceCandidate(candidate);
  }

  /** Releases the viewer's endpoint; the broadcast goes on. Nothing happens for an unknown id. */
  async removeViewer(viewerId: string): Promise<void> {
    const viewer = this.#viewers.get(viewerId);
    this.#viewers.delete(viewerId);
    await viewer?.release();
  }

  /**
   * Releases the pipeline, and with it every endpoint; a followed broadcast releases only its
   * viewers' endpoints (the pipeline is the presenter's app server's). Safe to call more than once.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    const viewers = [...this.#viewers.values()];
    this.#viewers.clear();
    const pipeline = this.#pipeline;
    this.#pipeline = undefined;
    if (!this.#owner) {
      await Promise.allSettled(viewers.map((viewer) => viewer.release()));
      return;
    }
    await pipeline?.release();
  }

  async #startPresenter(sdpOffer: string): Promise<string> {
    const pipeline = await this.client.create('MediaPipeline');
    this.#pipeline = pipeline;
    try {
      if (this.#stopped) throw this.#endedError();
      const sdpAnswer = await this.#presenter.start(pipeline, sdpOffer);
      if (this.#stopped) throw this.#endedError();
      return sdpAnswer;
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  #endedError(): CallError {
    return new CallError('ENDED', 'The broadcast ended: the presenter stopped or left.');
  }
}

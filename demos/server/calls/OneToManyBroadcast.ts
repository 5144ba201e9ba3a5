import {
  isMediaServerError,
  type MediaClient,
  type MediaPipeline,
  type WebRtcEndpoint,
} from '@medley/media-client';
import { BroadcastEdge } from './BroadcastEdge.js';
import { BrowserStream } from './BrowserStream.js';
import { CallError } from './CallError.js';
import type { IceCandidateInit } from './IceCandidateInit.js';
import { singleServerPlacement, type ViewerPlacement } from './ViewerPlacement.js';

/** Where another app server finds a broadcast on the media server (see `follow`). */
export interface SharedBroadcast {
  /** The media server holding it (its Kurento-Protocol URL, as the presenter's app server has it). */
  mediaServerUrl: string;
  pipelineId: string;
  presenterEndpointId: string;
}

/** A media server carrying viewers of the broadcast: the presenter's, or an edge. */
interface ViewerHost {
  readonly client: MediaClient;
  readonly pipeline: MediaPipeline;
  /** What the viewers here are connected from. */
  readonly source: WebRtcEndpoint;
  readonly edge?: BroadcastEdge;
  /** Viewers placed here, counting those still negotiating. */
  viewers: number;
  /** The server refused an endpoint: no more viewers here until one leaves. */
  refused: boolean;
}

interface Viewer {
  readonly stream: BrowserStream;
  readonly host: ViewerHost;
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
  readonly #viewers = new Map<string, Viewer>();
  /** The presenter's server first, then the edges opened as the viewers outgrew it. */
  #hosts: ViewerHost[] = [];
  /** Placements run one at a time, so that a burst of viewers opens one edge, not one each. */
  #placing: Promise<unknown> = Promise.resolve();
  #pipeline: MediaPipeline | undefined;
  /** Settles when the presenter's negotiation does: viewers who come meanwhile wait for it. */
  #presenterReady: Promise<void> | undefined;
  #stopped = false;

  constructor(
    private readonly client: MediaClient,
    sendPresenterCandidate: (candidate: IceCandidateInit) => void,
    private readonly placement: ViewerPlacement = singleServerPlacement,
  ) {
    this.#presenter = new BrowserStream({ kind: 'publisher' }, sendPresenterCandidate);
  }

  /**
   * The broadcast another app server started, found on the media server `client` talks to by
   * the ids it shared. Rejects (NO_PRESENTER) when the media server no longer has them.
   */
  static async follow(
    client: MediaClient,
    shared: SharedBroadcast,
    placement?: ViewerPlacement,
  ): Promise<OneToManyBroadcast> {
    const broadcast = new OneToManyBroadcast(client, () => undefined, placement);
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
    for (const { stream } of this.#viewers.values()) if (stream.negotiated) count++;
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
    for (;;) {
      const host = await this.#reserveHost();
      const stream = new BrowserStream({ kind: 'subscriber', source: host.source }, sendCandidate);
      const viewer = { stream, host };
      this.#viewers.set(viewerId, viewer);
      try {
        return await stream.start(host.pipeline, sdpOffer);
      } catch (error) {
        const emptiedEdge = this.#forgetViewer(viewerId, viewer);
        await stream.release();
        await emptiedEdge?.release();
        // Stopping the broadcast releases the pipeline under a viewer still negotiating.
        if (this.#stopped) throw this.#endedError();
        // A server that refuses a new endpoint takes no more viewers; the offer goes elsewhere
        // (its endpoint was never created, so the offer is still unanswered).
        if (!isMediaServerError(error, 'NOT_ENOUGH_RESOURCES')) throw error;
        host.refused = true;
        this.placement.reportRefusal(host.client);
      }
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
    const host = this.#originHost();
    host.viewers++;
    const stream = BrowserStream.adopt({ kind: 'subscriber', source: host.source }, endpoint);
    this.#viewers.set(viewerId, { stream, host });
  }

  /** The endpoint id of a viewer's stream, once negotiated: what moves with its session. */
  viewerEndpointId(viewerId: string): string | undefined {
    const viewer = this.#viewers.get(viewerId);
    // Only a viewer on the presenter's server can be adopted (an edge's link is not shared).
    if (!viewer?.stream.negotiated || viewer.host.edge) return undefined;
    return viewer.stream.endpoint.id;
  }

  async addViewerCandidate(viewerId: string, candidate: IceCandidateInit): Promise<void> {
    await this.#viewers.get(viewerId)?.stream.addIceCandidate(candidate);
  }

  /** Releases the viewer's endpoint; the broadcast goes on. Nothing happens for an unknown id. */
  async removeViewer(viewerId: string): Promise<void> {
    const viewer = this.#viewers.get(viewerId);
    if (!viewer) return;
    const emptiedEdge = this.#forgetViewer(viewerId, viewer);
    await viewer.stream.release();
    await emptiedEdge?.release();
  }

  /**
   * Releases the pipeline, and with it every endpoint; a followed broadcast releases only its
   * viewers' endpoints (the pipeline is the presenter's app server's). Safe to call more than once.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    const viewers = [...this.#viewers.values()];
    this.#viewers.clear();
    const edges = this.#hosts.flatMap(({ edge }) => (edge ? [edge] : []));
    this.#hosts = [];
    const pipeline = this.#pipeline;
    this.#pipeline = undefined;
    // Edges are this app server's own, whoever presents.
    await Promise.allSettled(edges.map((edge) => edge.release()));
    if (!this.#owner) {
      await Promise.allSettled(viewers.map(({ stream }) => stream.release()));
      return;
    }
    await pipeline?.release();
  }

  /**
   * A host with room for one more viewer, the slot taken: the presenter's server, an edge with
   * room, or a new edge on the least loaded other server.
   */
  #reserveHost(): Promise<ViewerHost> {
    const reserving = this.#placing.then(async () => {
      if (this.#stopped) throw this.#endedError();
      const { viewersPerServer } = this.placement;
      if (this.#hosts.length === 0) this.#hosts.push(this.#originHost());
      let host = this.#hosts.find((each) => !each.refused && each.viewers < viewersPerServer);
      if (!host) host = await this.#openEdge();
      host.viewers++;
      return host;
    });
    this.#placing = reserving.catch(() => undefined);
    return reserving;
  }

  async #openEdge(): Promise<ViewerHost> {
    let client: MediaClient;
    try {
      client = this.placement.pickOther(this.#hosts.map((host) => host.client));
    } catch {
      throw new CallError(
        'FULL',
        'The broadcast has as many viewers as its media servers can take: try again later.',
      );
    }
    const edge = await BroadcastEdge.open(client, this.#presenterEndpoint());
    if (this.#stopped) {
      await edge.release();
      throw this.#endedError();
    }
    const host: ViewerHost = {
      client,
      pipeline: edge.pipeline,
      source: edge.source,
      edge,
      viewers: 0,
      refused: false,
    };
    this.#hosts.push(host);
    return host;
  }

  /** The presenter's server as a host of viewers (created on first use). */
  #originHost(): ViewerHost {
    const existing = this.#hosts.find((host) => !host.edge);
    if (existing) return existing;
    const pipeline = this.#pipeline;
    if (!pipeline) throw this.#endedError();
    const origin: ViewerHost = {
      client: this.client,
      pipeline,
      source: this.#presenterEndpoint(),
      viewers: 0,
      refused: false,
    };
    this.#hosts.unshift(origin);
    return origin;
  }

  #presenterEndpoint(): WebRtcEndpoint {
    return this.#followedPresenter ?? this.#presenter.endpoint;
  }

  /**
   * Forgets a viewer and frees its slot; answers the edge it left empty, no longer a host (for
   * the caller to release).
   */
  #forgetViewer(viewerId: string, viewer: Viewer): BroadcastEdge | undefined {
    if (this.#viewers.get(viewerId) === viewer) this.#viewers.delete(viewerId);
    const { host } = viewer;
    host.viewers--;
    host.refused = false;
    if (!host.edge || host.viewers > 0 || !this.#hosts.includes(host)) return undefined;
    this.#hosts = this.#hosts.filter((each) => each !== host);
    return host.edge;
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

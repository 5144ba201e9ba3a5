import {
  connectAcrossServers,
  type MediaClient,
  type MediaPipeline,
  type ServerLink,
  type WebRtcEndpoint,
} from '@medley/media-client';

/**
 * A broadcast continued on another media server, once the presenter's server has as many
 * viewers as it takes: a pipeline there, fed over one server-to-server WebRTC link from the
 * presenter's endpoint. Viewers placed here are fed by the link's receiving end; their keyframe
 * and retransmission requests cross the link back to the presenter's server.
 */
export class BroadcastEdge {
  private constructor(
    readonly client: MediaClient,
    readonly pipeline: MediaPipeline,
    private readonly link: ServerLink,
  ) {}

  /** Opens the edge on `client`'s server, fed by `presenter` (on another server). */
  static async open(client: MediaClient, presenter: WebRtcEndpoint): Promise<BroadcastEdge> {
    const pipeline = await client.create('MediaPipeline');
    try {
      return new BroadcastEdge(client, pipeline, await connectAcrossServers(presenter, pipeline));
    } catch (error) {
      await pipeline.release().catch(() => undefined);
      throw error;
    }
  }

  /** What the edge's viewers are connected from. */
  get source(): WebRtcEndpoint {
    return this.link.receiver;
  }

  /** Releases the link (its end on the presenter's server too) and the edge's pipeline. */
  async release(): Promise<void> {
    await Promise.allSettled([this.link.release(), this.pipeline.release()]);
  }
}

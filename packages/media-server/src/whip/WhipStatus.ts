import type { WhipSessionRegistry } from './WhipSessionRegistry.js';

/** A stream being published over WHIP, as an application embedding the server sees it. */
export interface WhipStreamInfo {
  /** The `{stream}` of `/whip/{stream}` and `/whep/{stream}`. */
  readonly name: string;
  /** The id of its MediaPipeline, for Kurento-Protocol clients. */
  readonly pipelineId: string;
  /** The id of the publisher's WebRtcEndpoint: connect it to recorders, filters, endpoints. */
  readonly publisherId: string;
  /** How many WHEP viewers play it. */
  readonly viewers: number;
}

/** WHIP and WHEP of a running server (`MediaServer.whip`, when served). */
export interface WhipStatus {
  /** `http://host:port`: publish at `${baseUrl}/whip/{stream}`, play at `${baseUrl}/whep/{stream}`. */
  readonly baseUrl: string;
  /** The streams being published now. */
  streams(): WhipStreamInfo[];
}

/** The status view of `sessions`, served at `baseUrl`. */
export function whipStatus(sessions: WhipSessionRegistry, baseUrl: string): WhipStatus {
  return {
    baseUrl,
    streams: () =>
      sessions.streamNames.flatMap((name) => {
        const stream = sessions.stream(name);
        return stream
          ? [
              {
                name,
                pipelineId: stream.pipeline.id,
                publisherId: stream.publisher.endpoint.id,
                viewers: stream.viewers.size,
              },
            ]
          : [];
      }),
  };
}

import type { MediaPipeline } from '../elements/MediaPipeline.js';
import { MediaPipelineType } from '../elements/MediaPipeline.js';
import { type WebRtcEndpoint, WebRtcEndpointType } from '../elements/WebRtcEndpoint.js';
import { KurentoError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MediaObject } from '../objects/MediaObject.js';
import type { ServerContext } from '../objects/ServerContext.js';
import type { AdmissionControl } from '../server/AdmissionControl.js';
import { WebRtcTransportError } from '../transport/index.js';
import { WhipHttpError } from './WhipHttpError.js';
import { WhipSession, type WhipSessionKind } from './WhipSession.js';
import { WhipStream } from './WhipStream.js';

/** Seconds a client refused by admission control is told to wait: the load's averaging window. */
const ADMISSION_RETRY_AFTER_S = 5;

/** Tag keys Kurento-Protocol applications find WHIP streams by (getPipelines, then getTag). */
export const WHIP_STREAM_TAG = 'whip.stream';
/** Tag key of a WHIP stream's endpoints: `publisher` or `viewer`. */
export const WHIP_ROLE_TAG = 'whip.role';

/**
 * The live WHIP streams and their sessions. A stream is a MediaPipeline (named `whip:<stream>`,
 * tagged `whip.stream`) holding the publisher's WebRtcEndpoint (recvonly) and one sendonly
 * WebRtcEndpoint per viewer, each fed by `publisher.connect(viewer)`: forwarded packets, one
 * fan-out. Kurento-Protocol applications may connect more elements to the publisher; releasing
 * the pipeline or an endpoint from there ends the sessions it carried.
 */
export class WhipSessionRegistry {
  readonly #streams = new Map<string, WhipStream>();
  /** Names being published: reserved before the first await, so two POSTs cannot both win. */
  readonly #reserved = new Set<string>();
  readonly #sessions = new Map<string, WhipSession>();
  readonly #context: ServerContext;
  readonly #admission: AdmissionControl;
  readonly #logger: Logger;
  readonly #connectTimeoutMs: number;
  readonly #stopListening: () => void;

  constructor(options: {
    readonly context: ServerContext;
    readonly admission: AdmissionControl;
    readonly logger: Logger;
    readonly connectTimeoutMs: number;
  }) {
    this.#context = options.context;
    this.#admission = options.admission;
    this.#logger = options.logger;
    this.#connectTimeoutMs = options.connectTimeoutMs;
    this.#stopListening = options.context.registry.listen({
      destroyed: (object) => this.#onObjectReleased(object),
    });
  }

  /** The names of the streams being published. */
  get streamNames(): string[] {
    return [...this.#streams.keys()];
  }

  /** The stream published under `name`, if any. */
  stream(name: string): WhipStream | undefined {
    return this.#streams.get(name);
  }

  /**
   * Starts publishing `name` with the client's offer; resolves with the session once the answer
   * is ready.
   * @throws WhipHttpError 409 (already published), 503 (admission control), 400 (bad offer)
   */
  async publish(name: string, offer: string): Promise<{ session: WhipSession; answer: string }> {
    if (this.#streams.has(name) || this.#reserved.has(name)) {
      throw new WhipHttpError(
        409,
        `Stream '${name}' is already being published: DELETE its session first, or publish under another name.`,
      );
    }
    this.#admit();
    this.#reserved.add(name);
    let pipeline: MediaPipeline | undefined;
    try {
      pipeline = (await this.#create(MediaPipelineType, {})) as MediaPipeline;
      pipeline.name = `whip:${name}`;
      pipeline.addTag(WHIP_STREAM_TAG, name);
      const endpoint = await this.#createEndpoint(pipeline, 'publisher');
      const answer = await negotiate(endpoint, offer);
      const session = this.#track('publisher', name, endpoint);
      this.#streams.set(name, new WhipStream(name, pipeline, session));
      this.#logger.info('WHIP stream published', { stream: name, pipeline: pipeline.id });
      return { session, answer };
    } catch (error) {
      await pipeline?.release();
      throw error;
    } finally {
      this.#reserved.delete(name);
    }
  }

  /**
   * Adds a viewer of `name` with the client's offer, fed by the stream's publisher.
   * @throws WhipHttpError 404 (no such stream), 503 (admission control), 400 (bad offer)
   */
  async play(name: string, offer: string): Promise<{ session: WhipSession; answer: string }> {
    const stream = this.#liveStream(name);
    this.#admit();
    const endpoint = await this.#createEndpoint(stream.pipeline, 'viewer');
    try {
      const answer = await negotiate(endpoint, offer);
      if (stream.ended) throw streamNotFound(name);
      stream.publisher.endpoint.connect(endpoint);
      const session = this.#track('viewer', name, endpoint);
      stream.viewers.add(session);
      return { session, answer };
    } catch (error) {
      await endpoint.release();
      // connect() refuses codecs the stream cannot reach (e.g. with --transcoding never).
      throw error instanceof KurentoError ? new WhipHttpError(422, error.message) : error;
    }
  }

  /**
   * The session at a Location: of this kind, this stream and this id.
   * @throws WhipHttpError 404
   */
  session(kind: WhipSessionKind, streamName: string, id: string): WhipSession {
    const session = this.#sessions.get(id);
    if (!session || session.kind !== kind || session.streamName !== streamName || session.ended) {
      throw new WhipHttpError(
        404,
        'No such session: it ended (DELETE, its stream ended, or its peer stayed away) or never existed. POST a new offer to start one.',
      );
    }
    return session;
  }

  /** Ends a session as its DELETE does: a publisher's ends its stream and every viewer's. */
  async end(session: WhipSession): Promise<void> {
    if (session.ended) return;
    if (session.kind === 'viewer') {
      this.#forget(session);
      await session.endpoint.release();
      return;
    }
    const stream = this.#streams.get(session.streamName);
    if (stream?.publisher !== session) {
      this.#forget(session);
      await session.endpoint.release();
      return;
    }
    await this.#endStream(stream);
  }

  /** Ends every session and stream (the server is closing). */
  async close(): Promise<void> {
    this.#stopListening();
    await Promise.all([...this.#streams.values()].map((stream) => this.#endStream(stream)));
  }

  async #endStream(stream: WhipStream): Promise<void> {
    if (this.#streams.get(stream.name) === stream) this.#streams.delete(stream.name);
    stream.markEnded();
    this.#forget(stream.publisher);
    for (const viewer of stream.viewers) this.#forget(viewer);
    await stream.pipeline.release();
    this.#logger.info('WHIP stream ended', { stream: stream.name, viewers: stream.viewers.size });
  }

  #forget(session: WhipSession): void {
    session.markEnded();
    this.#sessions.delete(session.id);
    this.#streams.get(session.streamName)?.viewers.delete(session);
  }

  #track(kind: WhipSessionKind, streamName: string, endpoint: WebRtcEndpoint): WhipSession {
    const session = new WhipSession({
      kind,
      streamName,
      endpoint,
      connectTimeoutMs: this.#connectTimeoutMs,
      onLost: (lost) => {
        this.#logger.info('WHIP session ended: its peer stayed disconnected', {
          stream: lost.streamName,
          kind: lost.kind,
          timeoutMs: this.#connectTimeoutMs,
        });
        void this.end(lost);
      },
    });
    this.#sessions.set(session.id, session);
    return session;
  }

  /** A pipeline or endpoint released by a Kurento-Protocol client ends what it carried. */
  #onObjectReleased(object: MediaObject): void {
    for (const stream of this.#streams.values()) {
      if (stream.pipeline === object || stream.publisher.endpoint === object) {
        void this.#endStream(stream);
        return;
      }
      for (const viewer of stream.viewers) {
        if (viewer.endpoint === object) {
          this.#forget(viewer);
          return;
        }
      }
    }
  }

  #liveStream(name: string): WhipStream {
    const stream = this.#streams.get(name);
    if (!stream || stream.ended) throw streamNotFound(name);
    return stream;
  }

  #admit(): void {
    try {
      this.#admission.admit('WebRtcEndpoint');
    } catch (error) {
      if (!(error instanceof KurentoError)) throw error;
      throw new WhipHttpError(503, error.message, {
        'Retry-After': String(ADMISSION_RETRY_AFTER_S),
      });
    }
  }

  async #createEndpoint(pipeline: MediaPipeline, role: 'publisher' | 'viewer') {
    const endpoint = (await this.#create(WebRtcEndpointType, {
      mediaPipeline: pipeline.id,
      ...(role === 'publisher' ? { recvonly: true } : { sendonly: true }),
    })) as WebRtcEndpoint;
    endpoint.addTag(WHIP_ROLE_TAG, role);
    return endpoint;
  }

  async #create(
    type: typeof MediaPipelineType | typeof WebRtcEndpointType,
    params: Record<string, unknown>,
  ): Promise<MediaObject> {
    const object = await type.instantiate(params, this.#context.registry, this.#context);
    this.#context.registry.add(object);
    return object;
  }
}

/** processOffer, with the offer's problems answered 400 and what to do. */
async function negotiate(endpoint: WebRtcEndpoint, offer: string): Promise<string> {
  try {
    return await endpoint.runExclusive(() => endpoint.processOffer(offer));
  } catch (error) {
    if (error instanceof KurentoError || error instanceof WebRtcTransportError) {
      throw new WhipHttpError(
        400,
        `The SDP offer cannot be used: ${error.message}`,
        {},
        { cause: error },
      );
    }
    throw error;
  }
}

function streamNotFound(name: string): WhipHttpError {
  return new WhipHttpError(
    404,
    `No one publishes stream '${name}': publish it with POST /whip/${name} first, or check the name.`,
  );
}

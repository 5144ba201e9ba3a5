import type { CodecAdapter } from './CodecAdapter.js';
import { MediaGraphError } from './errors.js';
import { MediaFlowMeter } from './MediaFlowMeter.js';
import { MediaSinkPad } from './MediaSinkPad.js';
import { MediaSourcePad } from './MediaSourcePad.js';
import { MEDIA_TYPES, type MediaFlowState, type MediaType } from './MediaType.js';
import { TypedEventEmitter } from './TypedEventEmitter.js';

/** Kurento's pad description: every Medley element has one pad per media type and side. */
export const DEFAULT_PAD_NAME = 'default';

/** One link of the graph, shaped like Kurento's `ElementConnectionData`. */
export interface ElementConnection {
  /** The node that sends. */
  readonly source: MediaNode;
  /** The node that receives. */
  readonly sink: MediaNode;
  /** The media type the link carries. */
  readonly mediaType: MediaType;
  /** The source pad's name ({@link DEFAULT_PAD_NAME}). */
  readonly sourceDescription: string;
  /** The sink pad's name ({@link DEFAULT_PAD_NAME}). */
  readonly sinkDescription: string;
}

/** A FLOWING / NOT_FLOWING transition on one side of a node. */
export interface MediaFlowChange {
  /** Which media started or stopped. */
  readonly mediaType: MediaType;
  /** What it does now. */
  readonly state: MediaFlowState;
  /** The pad's name ({@link DEFAULT_PAD_NAME}). */
  readonly padName: string;
}

/** A transcoder of one of this node's source pads started or stopped. */
export interface MediaTranscodingChange {
  /** The media type converted. */
  readonly mediaType: MediaType;
  /** True when it started, false when it stopped. */
  readonly transcoding: boolean;
  /** The transcoder's name (Kurento's `binName`). */
  readonly binName: string;
}

/** The events of a {@link MediaNode}, with the arguments their listeners receive. */
export interface MediaNodeEvents {
  [event: string]: unknown[];
  /** A link was made; emitted on both its source node and its sink node (once for a self-link). */
  elementconnected: [ElementConnection];
  /** A link was removed (disconnect, replaced by a new connect, or release). Both nodes. */
  elementdisconnected: [ElementConnection];
  /** Media started or stopped arriving on the sink side (from the linked source). */
  mediaflowin: [MediaFlowChange];
  /** Media started or stopped leaving through the source side (produced by this element). */
  mediaflowout: [MediaFlowChange];
  /** Something went wrong with media on this node, e.g. a codec its peer did not negotiate. */
  mediaerror: [MediaGraphError];
  /** A conversion of this node's output started or stopped (Kurento's MediaTranscodingStateChanged). */
  mediatranscoding: [MediaTranscodingChange];
  /** The node was released: its links are gone and it emits nothing more. */
  released: [];
}

/** The options of `new MediaNode(options)`. */
export interface MediaNodeOptions {
  /** For logs and error messages. */
  readonly name?: string;
  /**
   * Silence after which a FLOWING side turns NOT_FLOWING. Kurento reports the change after about
   * two seconds; shorter values flap on the pauses of a muted microphone or a static screen.
   */
  readonly flowTimeoutMs?: number;
}

const DEFAULT_FLOW_TIMEOUT_MS = 2000;

/**
 * The graph side of a media element: a source side (what the element produces) and a sink side
 * (what it consumes) for each of AUDIO, VIDEO and DATA. `a.connect(b)` sends a's media to b;
 * a sink has at most one source per media type, and a node connected to itself is a loopback.
 *
 * Elements plug their media in through the pads: producers push into `source(type)` and answer
 * its `onKeyframeRequest`; consumers set `sink(type).onRtp` and `setNegotiatedCodecs`.
 */
export class MediaNode extends TypedEventEmitter<MediaNodeEvents> {
  /** For logs and error messages (option `name`, default `MediaNode`). */
  readonly name: string;
  /**
   * Converts a source's stream for this node's sinks when they negotiated another codec (set by
   * the element from its server's processing plane). Undefined: such media is dropped and
   * reported.
   */
  codecAdapter: CodecAdapter | undefined;
  /**
   * Whether this node measures how long media took to reach and to leave it (Kurento's
   * `latencyStats` of the pipeline, set by the element): media entering the pipeline here is
   * stamped (`MediaPacket.enteredAtMs`) and each sink pad averages the latency of what it
   * receives and sends. Off by default: it costs a clock read per packet and pad.
   */
  latencyStats = false;
  readonly #sources = new Map<MediaType, MediaSourcePad>();
  readonly #sinks = new Map<MediaType, MediaSinkPad>();
  #released = false;

  constructor(options: MediaNodeOptions = {}) {
    super();
    this.name = options.name ?? 'MediaNode';
    const timeoutMs = options.flowTimeoutMs ?? DEFAULT_FLOW_TIMEOUT_MS;
    for (const mediaType of MEDIA_TYPES) {
      const flowOut = new MediaFlowMeter(timeoutMs, (state) =>
        this.#emitFlow('mediaflowout', mediaType, state),
      );
      const flowIn = new MediaFlowMeter(timeoutMs, (state) =>
        this.#emitFlow('mediaflowin', mediaType, state),
      );
      this.#sources.set(mediaType, new MediaSourcePad(this, mediaType, flowOut));
      this.#sinks.set(mediaType, new MediaSinkPad(this, mediaType, flowIn));
    }
  }

  /** True once `release()` was called. */
  get released(): boolean {
    return this.#released;
  }

  /** This node's source pad for a media type (what the element produces). */
  source(mediaType: MediaType): MediaSourcePad {
    return this.#sources.get(mediaType) as MediaSourcePad;
  }

  /** This node's sink pad for a media type (what the element consumes). */
  sink(mediaType: MediaType): MediaSinkPad {
    return this.#sinks.get(mediaType) as MediaSinkPad;
  }

  /**
   * Sends this node's media to `sink`: one media type, or AUDIO, VIDEO and DATA when none is
   * given. A sink pad that already had a source is switched over (the old link is removed and
   * reported). Connecting an existing link again changes nothing.
   * @throws MediaGraphError NODE_RELEASED when either node was released.
   */
  connect(sink: MediaNode, mediaType?: MediaType): void {
    this.#assertUsable(sink);
    const types = mediaType ? [mediaType] : MEDIA_TYPES;
    for (const type of types) sink.codecAdapter?.checkLink(this.source(type), sink.sink(type));
    for (const type of types) {
      const sourcePad = this.source(type);
      const sinkPad = sink.sink(type);
      if (sinkPad.source === sourcePad) continue;
      if (sinkPad.source) sinkPad.source.node.#unlink(sinkPad.source, sinkPad);
      sourcePad.addSink(sinkPad);
      sinkPad.attach(sourcePad);
      this.#announce('elementconnected', connection(sourcePad, sinkPad));
    }
  }

  /**
   * Stops sending this node's media to `sink` (one media type, or all). Links that do not exist
   * are ignored, as in Kurento.
   */
  disconnect(sink: MediaNode, mediaType?: MediaType): void {
    for (const type of mediaType ? [mediaType] : MEDIA_TYPES) {
      const sourcePad = this.source(type);
      const sinkPad = sink.sink(type);
      if (sinkPad.source === sourcePad) this.#unlink(sourcePad, sinkPad);
    }
  }

  /** The links that feed this node (Kurento: connections to its sink pads). */
  getSourceConnections(mediaType?: MediaType): ElementConnection[] {
    const connections: ElementConnection[] = [];
    for (const type of mediaType ? [mediaType] : MEDIA_TYPES) {
      const sinkPad = this.sink(type);
      if (sinkPad.source) connections.push(connection(sinkPad.source, sinkPad));
    }
    return connections;
  }

  /** The links this node feeds (Kurento: connections from its source pads). */
  getSinkConnections(mediaType?: MediaType): ElementConnection[] {
    const connections: ElementConnection[] = [];
    for (const type of mediaType ? [mediaType] : MEDIA_TYPES) {
      const sourcePad = this.source(type);
      for (const sinkPad of sourcePad.sinks) connections.push(connection(sourcePad, sinkPad));
    }
    return connections;
  }

  /** Whether media arrived on the sink side within the flow timeout. */
  isMediaFlowingIn(mediaType: MediaType): boolean {
    return this.sink(mediaType).isFlowing;
  }

  /** Whether media left through the source side within the flow timeout. */
  isMediaFlowingOut(mediaType: MediaType): boolean {
    return this.source(mediaType).isFlowing;
  }

  /** Reports a transcoder of one of this node's source pads starting or stopping. */
  reportTranscoding(change: MediaTranscodingChange): void {
    this.emit('mediatranscoding', change);
  }

  /** Reports a media problem as a `mediaerror` event (used by pads and by elements). */
  reportError(error: MediaGraphError): void {
    this.emit('mediaerror', error);
  }

  /** Removes every link of this node, stops its timers, then emits `released`. Idempotent. */
  release(): void {
    if (this.#released) return;
    for (const mediaType of MEDIA_TYPES) {
      const sinkPad = this.sink(mediaType);
      if (sinkPad.source) sinkPad.source.node.#unlink(sinkPad.source, sinkPad);
      const sourcePad = this.source(mediaType);
      for (const linked of sourcePad.sinks) this.#unlink(sourcePad, linked);
    }
    this.#released = true;
    for (const mediaType of MEDIA_TYPES) {
      this.source(mediaType).close();
      this.sink(mediaType).close();
    }
    this.emit('released');
  }

  #unlink(sourcePad: MediaSourcePad, sinkPad: MediaSinkPad): void {
    sourcePad.removeSink(sinkPad);
    sinkPad.detach();
    this.#announce('elementdisconnected', connection(sourcePad, sinkPad));
  }

  #announce(event: 'elementconnected' | 'elementdisconnected', link: ElementConnection): void {
    link.source.emit(event, link);
    if (link.sink !== link.source) link.sink.emit(event, link);
  }

  #emitFlow(
    event: 'mediaflowin' | 'mediaflowout',
    mediaType: MediaType,
    state: MediaFlowState,
  ): void {
    this.emit(event, { mediaType, state, padName: DEFAULT_PAD_NAME });
  }

  #assertUsable(sink: MediaNode): void {
    for (const node of [this, sink]) {
      if (node.#released) {
        throw new MediaGraphError(
          'NODE_RELEASED',
          `${node.name} was released: create a new element to link.`,
        );
      }
    }
  }
}

function connection(sourcePad: MediaSourcePad, sinkPad: MediaSinkPad): ElementConnection {
  return {
    source: sourcePad.node,
    sink: sinkPad.node,
    mediaType: sourcePad.mediaType,
    sourceDescription: DEFAULT_PAD_NAME,
    sinkDescription: DEFAULT_PAD_NAME,
  };
}

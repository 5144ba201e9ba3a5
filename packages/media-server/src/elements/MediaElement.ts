import { ErrorCodes, InvalidParamError, KurentoError } from '../errors.js';
import {
  type ElementConnection,
  type MediaFlowChange,
  MediaGraphError,
  type MediaNode,
  type MediaType,
} from '../graph/index.js';
import {
  complexValue,
  GstreamerDotDetails,
  MediaType as MediaTypeValue,
} from '../objects/complexTypes.js';
import { MediaObject, MediaObjectType, type ObjectInit } from '../objects/MediaObject.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import { type ElementStatsKind, elementStats } from '../stats/elementStats.js';
import type { MediaPipeline } from './MediaPipeline.js';

/** Graph nodes know nothing of the Kurento API; this finds the element that owns a node. */
const elementsByNode = new WeakMap<MediaNode, MediaElement>();

/** Kurento's `Stats` map: stats entries keyed by id. */
export type StatsReport = Record<string, Record<string, unknown>>;

/**
 * Base of every element of a pipeline. The media itself moves in the element's {@link MediaNode}
 * (the in-process graph); this class gives it the Kurento API and turns graph events into
 * Kurento events.
 */
export abstract class MediaElement extends MediaObject {
  /**
   * The element's node in the media graph, where its media moves: a custom element produces
   * media with `node.source(mediaType).pushRtp(...)` (`pushData` for DATA) and consumes it
   * through `node.sink(mediaType).onRtp`.
   */
  readonly node: MediaNode;
  /**
   * Kurento's target video bitrate for transcoding, in bit/s. Stored and read back for
   * compatibility only: Medley's encoders follow their receivers' bandwidth estimates (REMB)
   * instead. Default 0 (Kurento's is 300000).
   */
  encoderBitrate = 0;
  /** Kurento's lower bound for an encoder's bitrate, in bit/s; stored only, as `encoderBitrate`. */
  minEncoderBitrate = 0;
  /** Kurento's upper bound for an encoder's bitrate, in bit/s; stored only, as `encoderBitrate`. */
  maxEncoderBitrate = 0;

  /** `parent` is the element's pipeline, or the hub of a HubPort (as in Kurento). */
  protected constructor(init: ObjectInit, parent: MediaPipeline | MediaObject, node: MediaNode) {
    super(init, parent);
    this.node = node;
    node.codecAdapter = init.context.processing.transcoders;
    elementsByNode.set(node, this);
    node.on('elementconnected', (link) => this.emitLinkEvent('ElementConnected', link));
    node.on('elementdisconnected', (link) => this.emitLinkEvent('ElementDisconnected', link));
    node.on('mediaflowin', (change) => this.emitFlowEvent('MediaFlowInStateChanged', change));
    node.on('mediaflowout', (change) => this.emitFlowEvent('MediaFlowOutStateChanged', change));
    node.on('mediaerror', (error) =>
      this.emitEvent('Error', {
        description: error.message,
        errorCode: errorCodeOf(error),
        type: error.code,
      }),
    );
    node.on('mediatranscoding', (change) =>
      this.emitEvent('MediaTranscodingStateChanged', {
        state: change.transcoding ? 'TRANSCODING' : 'NOT_TRANSCODING',
        binName: change.binName,
        mediaType: change.mediaType,
      }),
    );
  }

  /**
   * Whether this element's output of `mediaType` is being transcoded for some sink (Kurento's
   * agnosticbin lives at the source, so this is asked of the element that sends the media).
   */
  isMediaTranscoding(mediaType: MediaType, binName?: string): boolean {
    const transcodings = this.node.source(mediaType).transcodings;
    return binName ? transcodings.has(binName) : transcodings.size > 0;
  }

  /** Sends this element's media (one type, or all) to `sink`; a sink has one source per type. */
  connect(sink: MediaElement, mediaType?: MediaType): void {
    if (sink.mediaPipeline !== this.mediaPipeline) {
      throw new InvalidParamError(
        `Cannot connect elements of different pipelines ('${this.id}' and '${sink.id}')`,
      );
    }
    try {
      this.node.connect(sink.node, mediaType);
    } catch (error) {
      throw graphToKurento(error);
    }
  }

  /**
   * Stops sending this element's media (one type, or all) to `sink`. Links that do not exist are
   * ignored, as in Kurento.
   */
  disconnect(sink: MediaElement, mediaType?: MediaType): void {
    this.node.disconnect(sink.node, mediaType);
  }

  /**
   * The links feeding this element (of one type, or all), as Kurento `ElementConnectionData`
   * values `{source, sink, type, sourceDescription, sinkDescription}` with element ids.
   */
  getSourceConnections(mediaType?: MediaType): Record<string, unknown>[] {
    return this.node.getSourceConnections(mediaType).flatMap(connectionData);
  }

  /** The links this element feeds (of one type, or all), as in {@link getSourceConnections}. */
  getSinkConnections(mediaType?: MediaType): Record<string, unknown>[] {
    return this.node.getSinkConnections(mediaType).flatMap(connectionData);
  }

  /**
   * Whether media of `mediaType` reached this element within its node's flow timeout (2 s by
   * default).
   */
  isMediaFlowingIn(mediaType: MediaType): boolean {
    return this.node.isMediaFlowingIn(mediaType);
  }

  /**
   * Whether this element produced media of `mediaType` within its node's flow timeout (2 s by
   * default), whether or not a sink is connected.
   */
  isMediaFlowingOut(mediaType: MediaType): boolean {
    return this.node.isMediaFlowingOut(mediaType);
  }

  /**
   * Kurento's stats of this element, by id: its own entry under its id (`ElementStats`, or
   * `EndpointStats` for an endpoint, with the latencies of `mediaType` while the pipeline's
   * `latencyStats` is on); endpoints add their RTP, ICE and DTLS entries.
   */
  async getStats(mediaType?: MediaType): Promise<StatsReport> {
    return { [this.id]: elementStats(this.id, this.node, this.statsKind, mediaType, Date.now()) };
  }

  /** Which entry {@link getStats} keys by the element's id: Kurento's endpoints say `endpoint`. */
  protected get statsKind(): ElementStatsKind {
    return 'element';
  }

  /**
   * @internal The pipeline tells the elements it holds when its `latencyStats` changes; an
   * element learns the current setting here, when it joins the pipeline.
   */
  override attachToParent(): void {
    super.attachToParent();
    this.node.latencyStats = this.pipelineLatencyStats;
  }

  private get pipelineLatencyStats(): boolean {
    return (this.mediaPipeline as MediaPipeline | undefined)?.latencyStats ?? false;
  }

  protected override onRelease(): void | Promise<void> {
    this.node.release();
  }

  private emitLinkEvent(type: string, link: ElementConnection): void {
    const sink = elementsByNode.get(link.sink);
    if (!sink) return;
    this.emitEvent(type, {
      sink: sink.id,
      mediaType: link.mediaType,
      sourceMediaDescription: link.sourceDescription,
      sinkMediaDescription: link.sinkDescription,
    });
  }

  private emitFlowEvent(type: string, change: MediaFlowChange): void {
    this.emitEvent(type, {
      state: change.state,
      padName: change.padName,
      mediaType: change.mediaType,
    });
  }
}

function connectionData(link: ElementConnection): Record<string, unknown>[] {
  const source = elementsByNode.get(link.source);
  const sink = elementsByNode.get(link.sink);
  if (!source || !sink) return [];
  return [
    complexValue('ElementConnectionData', {
      source: source.id,
      sink: sink.id,
      type: link.mediaType,
      sourceDescription: link.sourceDescription,
      sinkDescription: link.sinkDescription,
    }),
  ];
}

/** The Kurento error code an `Error` event carries for a graph error. */
function errorCodeOf(error: MediaGraphError): number {
  switch (error.code) {
    case 'TRANSCODING_FAILED':
    case 'PROCESSING_FAILED':
      return ErrorCodes.UNEXPECTED_ERROR;
    default:
      return ErrorCodes.UNSUPPORTED_MEDIA_TYPE;
  }
}

function graphToKurento(error: unknown): unknown {
  if (!(error instanceof MediaGraphError)) return error;
  const type =
    error.code === 'NODE_RELEASED'
      ? 'MEDIA_OBJECT_NOT_FOUND'
      : error.code === 'TRANSCODING_DISABLED'
        ? 'CONNECT_ERROR'
        : 'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR';
  return new KurentoError(type, error.message, { cause: error });
}

const { method, property } = typeMembers<MediaElement>();
const element = t.mediaObject<MediaElement>('MediaElement');
const optionalMediaType = t.optional(MediaTypeValue);
const optionalDescription = t.optional(t.string);

function bitrate(
  get: (target: MediaElement) => number,
  set: (target: MediaElement, value: number) => void,
) {
  return property(t.int, { get, set });
}

/**
 * The type table of MediaElement (abstract): connect/disconnect, connection and flow queries,
 * stats, and the element events every element raises.
 */
export const MediaElementType = defineType<MediaElement>({
  name: 'MediaElement',
  module: 'core',
  extends: MediaObjectType,
  methods: {
    connect: method(
      {
        sink: element,
        mediaType: optionalMediaType,
        sourceMediaDescription: optionalDescription,
        sinkMediaDescription: optionalDescription,
      },
      (source, { sink, mediaType }) => source.connect(sink, mediaType),
    ),
    disconnect: method(
      {
        sink: element,
        mediaType: optionalMediaType,
        sourceMediaDescription: optionalDescription,
        sinkMediaDescription: optionalDescription,
      },
      (source, { sink, mediaType }) => source.disconnect(sink, mediaType),
    ),
    getSourceConnections: method(
      { mediaType: optionalMediaType, description: optionalDescription },
      (target, { mediaType }) => target.getSourceConnections(mediaType),
      'ElementConnectionData[]',
    ),
    getSinkConnections: method(
      { mediaType: optionalMediaType, description: optionalDescription },
      (target, { mediaType }) => target.getSinkConnections(mediaType),
      'ElementConnectionData[]',
    ),
    isMediaFlowingIn: method(
      { mediaType: MediaTypeValue, sinkMediaDescription: optionalDescription },
      (target, { mediaType }) => target.isMediaFlowingIn(mediaType),
      'boolean',
    ),
    isMediaFlowingOut: method(
      { mediaType: MediaTypeValue, sourceMediaDescription: optionalDescription },
      (target, { mediaType }) => target.isMediaFlowingOut(mediaType),
      'boolean',
    ),
    isMediaTranscoding: method(
      { mediaType: MediaTypeValue, binName: optionalDescription },
      (target, { mediaType, binName }) => target.isMediaTranscoding(mediaType, binName),
      'boolean',
    ),
    getStats: method(
      { mediaType: optionalMediaType },
      (target, { mediaType }) => target.getStats(mediaType),
      'Stats<>',
    ),
    getGstreamerDot: method(
      { details: t.optional(GstreamerDotDetails) },
      (target) => `digraph "${target.id}" {}`,
      'String',
    ),
    dumpGstreamerDot: method({ details: t.optional(GstreamerDotDetails) }, () => undefined),
  },
  properties: {
    encoderBitrate: bitrate(
      (target) => target.encoderBitrate,
      (target, value) => {
        target.encoderBitrate = value;
      },
    ),
    minEncoderBitrate: bitrate(
      (target) => target.minEncoderBitrate,
      (target, value) => {
        target.minEncoderBitrate = value;
      },
    ),
    maxEncoderBitrate: bitrate(
      (target) => target.maxEncoderBitrate,
      (target, value) => {
        target.maxEncoderBitrate = value;
      },
    ),
  },
  events: [
    'ElementConnected',
    'ElementDisconnected',
    'MediaFlowOutStateChanged',
    'MediaFlowInStateChanged',
    'MediaTranscodingStateChanged',
  ],
});

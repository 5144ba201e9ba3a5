import { GstreamerDotDetails } from '../objects/complexTypes.js';
import { MediaObject, MediaObjectType, type ObjectInit } from '../objects/MediaObject.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import { MediaElement } from './MediaElement.js';

/** A container of media elements; releasing it releases all of them. */
export class MediaPipeline extends MediaObject {
  #latencyStats = false;

  constructor(init: ObjectInit) {
    super(init);
  }

  /**
   * Kurento's switch for the latency statistics of the pipeline's elements (off by default, as
   * in Kurento: it costs a clock read per packet and pad). While on, each element's stats carry
   * `inputLatency`, and each endpoint's `E2ELatency`, in nanoseconds.
   */
  get latencyStats(): boolean {
    return this.#latencyStats;
  }

  /** Turns latency measurement on or off for every element of the pipeline, present and future. */
  set latencyStats(enabled: boolean) {
    this.#latencyStats = enabled;
    for (const element of elementsOf(this)) element.node.latencyStats = enabled;
  }

  /** KMS returns its GStreamer graph; we describe our element graph in the same DOT language. */
  describeGraph(): string {
    const lines = [`digraph "${this.id}" {`];
    for (const child of this.children) lines.push(`  "${child.id}" [label="${child.type.name}"];`);
    lines.push('}');
    return lines.join('\n');
  }
}

/** The elements of a pipeline, hub ports included (their parent is their hub). */
function* elementsOf(object: MediaObject): Generator<MediaElement> {
  for (const child of object.children) {
    if (child instanceof MediaElement) yield child;
    yield* elementsOf(child);
  }
}

const { method, property } = typeMembers<MediaPipeline>();

/**
 * The type table of MediaPipeline: created without params, getGstreamerDot (the element graph
 * in DOT) and the `latencyStats` property.
 */
export const MediaPipelineType = defineType<MediaPipeline>({
  name: 'MediaPipeline',
  module: 'core',
  extends: MediaObjectType,
  constructorParams: {},
  create: (_params, init) => new MediaPipeline(init),
  methods: {
    getGstreamerDot: method(
      { details: t.optional(GstreamerDotDetails) },
      (pipeline) => pipeline.describeGraph(),
      'String',
    ),
    dumpGstreamerDot: method({ details: t.optional(GstreamerDotDetails) }, () => undefined),
  },
  properties: {
    latencyStats: property(t.boolean, {
      get: (pipeline) => pipeline.latencyStats,
      set: (pipeline, enabled) => {
        pipeline.latencyStats = enabled;
      },
    }),
  },
});

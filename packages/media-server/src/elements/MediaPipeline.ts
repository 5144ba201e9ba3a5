import { GstreamerDotDetails } from '../objects/complexTypes.js';
import { MediaObject, MediaObjectType, type ObjectInit } from '../objects/MediaObject.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';

/** A container of media elements; releasing it releases all of them. */
export class MediaPipeline extends MediaObject {
  /**
   * Kurento's switch for latency statistics of the pipeline's elements. Stored and read back
   * only: an element's stats report no latency (`inputLatency` is empty).
   */
  latencyStats = false;

  constructor(init: ObjectInit) {
    super(init);
  }

  /** KMS returns its GStreamer graph; we describe our element graph in the same DOT language. */
  describeGraph(): string {
    const lines = [`digraph "${this.id}" {`];
    for (const child of this.children) lines.push(`  "${child.id}" [label="${child.type.name}"];`);
    lines.push('}');
    return lines.join('\n');
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

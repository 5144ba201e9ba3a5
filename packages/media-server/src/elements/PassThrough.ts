import { PassThroughNode } from '../graph/index.js';
import type { ObjectInit } from '../objects/MediaObject.js';
import { defineType } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import { MediaElement, MediaElementType } from './MediaElement.js';
import type { MediaPipeline } from './MediaPipeline.js';

/** Forwards what it receives: a switch point (change its source, its sinks see one stream). */
export class PassThrough extends MediaElement {
  constructor(init: ObjectInit, pipeline: MediaPipeline) {
    super(init, pipeline, new PassThroughNode());
  }
}

/** The type table of PassThrough: created with its `mediaPipeline`, no member of its own. */
export const PassThroughType = defineType({
  name: 'PassThrough',
  module: 'core',
  extends: MediaElementType,
  constructorParams: { mediaPipeline: t.mediaObject<MediaPipeline>('MediaPipeline') },
  create: ({ mediaPipeline }, init) => new PassThrough(init, mediaPipeline),
});

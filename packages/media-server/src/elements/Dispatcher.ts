import type { ObjectInit } from '../objects/MediaObject.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import { Hub, HubType } from './Hub.js';
import type { HubPort } from './HubPort.js';
import type { MediaPipeline } from './MediaPipeline.js';

/**
 * Kurento's Dispatcher: routes between arbitrary pairs of its ports. `connect(source, sink)`
 * makes `sink` send out what enters `source` (both media types), replacing what it sent before;
 * a new port sends nothing until routed.
 */
export class Dispatcher extends Hub {
  constructor(init: ObjectInit, pipeline: MediaPipeline) {
    super(init, pipeline);
  }

  /** @throws InvalidParamError when a port is not one of this hub */
  connect(source: HubPort, sink: HubPort): void {
    this.assertOwnPort(source, 'source');
    this.assertOwnPort(sink, 'sink');
    sink.routingNode.sendFrom(source.routingNode);
  }

  protected override onPortAdded(): void {}

  protected override onPortRemoved(): void {}
}

const { method } = typeMembers<Dispatcher>();

/** The type table of Dispatcher: its `mediaPipeline`, and `connect(source, sink)` of two ports. */
export const DispatcherType = defineType({
  name: 'Dispatcher',
  module: 'elements',
  extends: HubType,
  constructorParams: { mediaPipeline: t.mediaObject<MediaPipeline>('MediaPipeline') },
  create: ({ mediaPipeline }, init) => new Dispatcher(init, mediaPipeline),
  methods: {
    connect: method(
      { source: t.mediaObject<HubPort>('HubPort'), sink: t.mediaObject<HubPort>('HubPort') },
      (hub, { source, sink }) => hub.connect(source, sink),
    ),
  },
});

import type { ObjectInit } from '../objects/MediaObject.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import { Hub, HubType } from './Hub.js';
import type { HubPort } from './HubPort.js';
import type { MediaPipeline } from './MediaPipeline.js';

/**
 * Kurento's DispatcherOneToMany: every port sends out the media entering one source port, the
 * source port included (as in KMS, a port connected back to the source's element echoes it).
 * Changing the source switches every port at once; each receiver keeps one continuous stream
 * and resumes video at a keyframe of the new source, asked for at the switch.
 */
export class DispatcherOneToMany extends Hub {
  #source: HubPort | undefined;

  constructor(init: ObjectInit, pipeline: MediaPipeline) {
    super(init, pipeline);
  }

  /** The port whose input every port sends out; undefined until setSource, after removeSource. */
  get source(): HubPort | undefined {
    return this.#source;
  }

  /** @throws InvalidParamError when `source` is not a port of this hub */
  setSource(source: HubPort): void {
    this.assertOwnPort(source, 'source');
    this.#source = source;
    for (const port of this.ports) port.routingNode.sendFrom(source.routingNode);
  }

  /** Every port stops sending until a new source is set. */
  removeSource(): void {
    this.#source = undefined;
    for (const port of this.ports) port.routingNode.sendFrom(undefined);
  }

  protected override onPortAdded(port: HubPort): void {
    if (this.#source) port.routingNode.sendFrom(this.#source.routingNode);
  }

  protected override onPortRemoved(port: HubPort): void {
    if (port === this.#source) this.removeSource();
  }
}

const { method } = typeMembers<DispatcherOneToMany>();

/** The type table of DispatcherOneToMany: its `mediaPipeline`, setSource and removeSource. */
export const DispatcherOneToManyType = defineType({
  name: 'DispatcherOneToMany',
  module: 'elements',
  extends: HubType,
  constructorParams: { mediaPipeline: t.mediaObject<MediaPipeline>('MediaPipeline') },
  create: ({ mediaPipeline }, init) => new DispatcherOneToMany(init, mediaPipeline),
  methods: {
    setSource: method({ source: t.mediaObject<HubPort>('HubPort') }, (hub, { source }) =>
      hub.setSource(source),
    ),
    removeSource: method({}, (hub) => hub.removeSource()),
  },
});

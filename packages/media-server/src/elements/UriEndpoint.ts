import type { MediaNode } from '../graph/index.js';
import type { ObjectInit } from '../objects/MediaObject.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import { EndpointType } from './Endpoint.js';
import { MediaElement } from './MediaElement.js';
import type { MediaPipeline } from './MediaPipeline.js';

/** Kurento's UriEndpointState. */
export const UriEndpointState = t.enumeration('UriEndpointState', ['STOP', 'START', 'PAUSE']);
export type UriEndpointStateValue = (typeof UriEndpointState.values)[number];

/**
 * Kurento's UriEndpoint: an endpoint whose media is at a URI (a file to record to or to play).
 * Its state moves between STOP, START and PAUSE, each change raising UriEndpointStateChanged.
 */
export abstract class UriEndpoint extends MediaElement {
  /** The URI as the client gave it. */
  readonly uri: string;
  #state: UriEndpointStateValue = 'STOP';

  protected constructor(init: ObjectInit, pipeline: MediaPipeline, node: MediaNode, uri: string) {
    super(init, pipeline, node);
    this.uri = uri;
  }

  get state(): UriEndpointStateValue {
    return this.#state;
  }

  abstract pause(): void | Promise<void>;
  abstract stop(): void | Promise<void>;

  protected setState(state: UriEndpointStateValue): void {
    if (state === this.#state) return;
    this.#state = state;
    this.emitEvent('UriEndpointStateChanged', { state });
  }
}

const { method, property } = typeMembers<UriEndpoint>();

export const UriEndpointType = defineType<UriEndpoint>({
  name: 'UriEndpoint',
  module: 'core',
  extends: EndpointType,
  methods: {
    pause: method({}, (endpoint) => endpoint.pause()),
    stop: method({}, (endpoint) => endpoint.stop()),
  },
  properties: {
    uri: property(t.string, { get: (endpoint) => endpoint.uri }),
    state: property(UriEndpointState, { get: (endpoint) => endpoint.state }),
  },
  events: ['UriEndpointStateChanged'],
});

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

  /** STOP until the media starts, START while it plays or records, PAUSE while paused. */
  get state(): UriEndpointStateValue {
    return this.#state;
  }

  /** Pauses playing or recording (state PAUSE); does nothing unless the media has started. */
  abstract pause(): void | Promise<void>;
  /** Stops playing or recording (state STOP); playing or recording again starts over. */
  abstract stop(): void | Promise<void>;

  /** For subclasses: moves to `state`, raising UriEndpointStateChanged if it changed. */
  protected setState(state: UriEndpointStateValue): void {
    if (state === this.#state) return;
    this.#state = state;
    this.emitEvent('UriEndpointStateChanged', { state });
  }
}

const { method, property } = typeMembers<UriEndpoint>();

/** The type table of UriEndpoint (abstract): `uri`, `state`, pause, stop and their event. */
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

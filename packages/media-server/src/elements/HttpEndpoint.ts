import { defineType, typeMembers } from '../objects/ObjectType.js';
import type { MediaElement } from './MediaElement.js';
import { SessionEndpointType } from './SessionEndpoint.js';

/** What Kurento's HttpEndpoint methods need of an element: the URL peers reach it at. */
export interface HttpEndpointElement extends MediaElement {
  /** The URL HTTP clients use; empty once it expired (disconnectionTimeout) or was released. */
  readonly url: string;
}

const { method } = typeMembers<HttpEndpointElement>();

/** Kurento's abstract HttpEndpoint: an endpoint HTTP clients reach at the URL `getUrl` gives. */
export const HttpEndpointType = defineType<HttpEndpointElement>({
  name: 'HttpEndpoint',
  module: 'elements',
  extends: SessionEndpointType,
  methods: {
    getUrl: method({}, (endpoint) => endpoint.url, 'String'),
  },
});

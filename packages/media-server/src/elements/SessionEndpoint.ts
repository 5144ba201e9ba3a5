import { defineType } from '../objects/ObjectType.js';
import { EndpointType } from './Endpoint.js';

/** Kurento's abstract SessionEndpoint: an endpoint that negotiates a media session. */
export const SessionEndpointType = defineType({
  name: 'SessionEndpoint',
  module: 'core',
  extends: EndpointType,
  events: ['MediaSessionTerminated', 'MediaSessionStarted'],
});

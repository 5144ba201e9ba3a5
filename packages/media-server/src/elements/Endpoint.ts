import { defineType } from '../objects/ObjectType.js';
import { MediaElementType } from './MediaElement.js';

/** Kurento's abstract Endpoint: an element that takes media in or out of the server. */
export const EndpointType = defineType({
  name: 'Endpoint',
  module: 'core',
  extends: MediaElementType,
});

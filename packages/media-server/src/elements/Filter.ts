import { defineType } from '../objects/ObjectType.js';
import { MediaElementType } from './MediaElement.js';

/** Kurento's abstract Filter: an element that changes the media passing through it. */
export const FilterType = defineType({
  name: 'Filter',
  module: 'core',
  extends: MediaElementType,
});

import * as t from './valueTypes.js';

/**
 * Kurento complex types (kmd.json `complexTypes`) shared by several object types. A type used
 * by one element only lives in that element's file.
 */

/** A complex value as KMS sends it, with `__module__` and `__type__`. */
export function complexValue(
  type: string,
  fields: Readonly<Record<string, unknown>>,
  module = 'kurento',
): Record<string, unknown> {
  return { ...fields, __module__: module, __type__: type };
}

export const MediaType = t.enumeration('MediaType', ['AUDIO', 'DATA', 'VIDEO']);
export const MediaFlowState = t.enumeration('MediaFlowState', ['FLOWING', 'NOT_FLOWING']);
export const MediaState = t.enumeration('MediaState', ['DISCONNECTED', 'CONNECTED']);
export const ConnectionState = t.enumeration('ConnectionState', ['DISCONNECTED', 'CONNECTED']);
export const GstreamerDotDetails = t.enumeration('GstreamerDotDetails', [
  'SHOW_MEDIA_TYPE',
  'SHOW_CAPS_DETAILS',
  'SHOW_NON_DEFAULT_PARAMS',
  'SHOW_STATES',
  'SHOW_FULL_PARAMS',
  'SHOW_ALL',
  'SHOW_VERBOSE',
]);

export const Tag = t.register('Tag', { key: t.string, value: t.string });

export const OfferOptions = t.register('OfferOptions', {
  offerToReceiveAudio: t.optional(t.boolean, true),
  offerToReceiveVideo: t.optional(t.boolean, true),
});

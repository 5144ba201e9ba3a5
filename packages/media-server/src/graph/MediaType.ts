/** The kinds of media a link carries, named as in Kurento's `MediaType`. */
export type MediaType = 'AUDIO' | 'VIDEO' | 'DATA';

/** Every media type, in the order Kurento lists them. */
export const MEDIA_TYPES: readonly MediaType[] = ['AUDIO', 'VIDEO', 'DATA'];

/** The media types that carry RTP (DATA carries data-channel messages). */
export const RTP_MEDIA_TYPES: readonly MediaType[] = ['AUDIO', 'VIDEO'];

/** Kurento's `MediaFlowState`: whether packets crossed a side of an element recently. */
export type MediaFlowState = 'FLOWING' | 'NOT_FLOWING';

export function isMediaType(value: unknown): value is MediaType {
  return value === 'AUDIO' || value === 'VIDEO' || value === 'DATA';
}

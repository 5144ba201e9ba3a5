import type { MediaCodec } from './MediaCodec.js';
import type { MediaSinkPad } from './MediaSinkPad.js';
import type { MediaSourcePad } from './MediaSourcePad.js';

/**
 * Supplies a sink with its source's stream in a codec the sink negotiated, when the source sends
 * another (Kurento's agnosticbin: the processing plane's transcoders). The graph only asks; how
 * the conversion is made, shared and paid for is the adapter's business.
 */
export interface CodecAdapter {
  /**
   * Starts (or joins) a conversion of `source`'s stream, now in `input`, into one of `accepted`
   * for `sink`. The adapter delivers the converted packets with `sink.deliverAdaptedRtp`.
   * @throws MediaGraphError when it will not convert (transcoding disabled, unknown codec,
   *   no resources): the sink reports it and drops the media.
   */
  adapt(
    source: MediaSourcePad,
    input: MediaCodec,
    accepted: readonly MediaCodec[],
    sink: MediaSinkPad,
  ): CodecAdaptation;

  /**
   * Called before a link is made: throws MediaGraphError when the link could never carry media
   * (the source's codecs and the sink's share none and conversion is off), so that `connect`
   * fails instead of the media silently not arriving.
   */
  checkLink(source: MediaSourcePad, sink: MediaSinkPad): void;
}

/** One sink's use of a conversion. */
export interface CodecAdaptation {
  /** What the converted packets are encoded with (compatible with one of the sink's codecs). */
  readonly output: MediaCodec;
  /** The sink's receiver lost a picture: make the conversion's encoder send a keyframe. */
  requestKeyframe(): void;
  /** The sink no longer needs the conversion (the last one to leave stops it). */
  release(): void;
}

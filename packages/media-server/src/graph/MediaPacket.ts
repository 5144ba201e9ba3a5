import type { MediaCodec } from './MediaCodec.js';

/**
 * One RTP packet travelling along the graph: the header fields a link rewrites, the payload, and
 * the codec it is encoded with. Header extensions are not carried: their ids belong to the
 * session that received the packet, and the sending session writes its own.
 *
 * Ownership: a packet handed to a listener is only valid during that synchronous call (sinks
 * reuse one packet object for every packet they deliver). Copy the fields you need; the
 * `payload` Buffer itself is never written to by the graph and may be kept.
 */
export interface MediaPacket {
  /** The RTP payload type, as negotiated by the session that received (or will send) it. */
  payloadType: number;
  /** The RTP sequence number (16 bits, wrapping). */
  sequenceNumber: number;
  /** The RTP timestamp (32 bits, wrapping), in units of the codec's clock rate. */
  timestamp: number;
  /** The RTP synchronisation source. */
  ssrc: number;
  /** The RTP marker bit: the last packet of a video frame; the start of a talkspurt for audio. */
  marker: boolean;
  /** The RTP payload, without header or header extensions. */
  payload: Buffer;
  /** The codec the payload is encoded with. */
  codec: MediaCodec;
  /**
   * The simulcast layer the packet belongs to, 0 being the lowest, when its producer sends the
   * same media as several layers (each with its own SSRC). Undefined for a single stream. A sink
   * forwards one layer at a time (see {@link MediaSinkPad}).
   */
  layer?: number | undefined;
  /**
   * When the media entered the pipeline, as `performance.now()`: stamped by the source pad of
   * the element that brought it in (a publishing endpoint, a player, a processing stage) while
   * the pipeline measures latency (Kurento's `latencyStats`), and carried unchanged by the
   * elements that forward it. Undefined otherwise.
   */
  enteredAtMs?: number | undefined;
}

/** A data-channel message travelling along a DATA link. */
export interface DataMessage {
  /** The label of the channel it arrived on (informational; sinks send on their own channel). */
  readonly label: string;
  /** The message: text, or binary as a Buffer. */
  readonly data: string | Buffer;
}

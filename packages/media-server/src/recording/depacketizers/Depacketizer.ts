import type { DepacketizedFrame } from '../EncodedFrame.js';

/** Turns the RTP payloads of one frame back into the frame (RFC 7741, RFC 9628, RFC 6184, RFC 7587). */
export interface Depacketizer {
  /**
   * Reassembles a frame from the payloads of its packets, in sequence order, all of them
   * present. Returns undefined when the payloads do not form a usable frame.
   */
  depacketize(payloads: readonly Buffer[]): DepacketizedFrame | undefined;
  /** Whether a payload is the first of a frame (to resume cleanly after lost packets). */
  startsFrame(payload: Buffer): boolean;
}

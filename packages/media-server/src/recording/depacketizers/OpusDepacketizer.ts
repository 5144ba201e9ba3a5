import type { DepacketizedFrame } from '../EncodedFrame.js';
import type { Depacketizer } from './Depacketizer.js';

/** RFC 7587: one Opus packet per RTP packet, stored as it is. */
export class OpusDepacketizer implements Depacketizer {
  depacketize(payloads: readonly Buffer[]): DepacketizedFrame | undefined {
    const data = payloads.length === 1 ? payloads[0] : Buffer.concat(payloads);
    if (!data || data.length === 0) return undefined;
    return { data, keyframe: true };
  }

  startsFrame(): boolean {
    return true;
  }
}

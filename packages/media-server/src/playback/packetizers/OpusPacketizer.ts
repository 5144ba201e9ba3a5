import type { Packetizer } from './Packetizer.js';

/** RFC 7587: one Opus packet per RTP packet. */
export class OpusPacketizer implements Packetizer {
  packetize(frame: Buffer): Buffer[] {
    return [frame];
  }
}

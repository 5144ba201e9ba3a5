import { parseVp9FrameHeader, splitVp9Superframe } from '../../formats/vp9.js';
import { MAX_PAYLOAD_BYTES, type Packetizer, split } from './Packetizer.js';

const HEADER_BYTES = 3;
const SCALABILITY_BYTES = 5;

/**
 * RFC 9628 in non-flexible mode with one spatial layer: a 15-bit PictureID, the B and E bits,
 * P on inter frames, and on key frames the scalability structure with the picture size.
 */
export class Vp9Packetizer implements Packetizer {
  packetize(frame: Buffer, keyframe: boolean, pictureId: number): Buffer[] {
    const size = keyframe ? keyframeSize(frame) : undefined;
    const firstOverhead = HEADER_BYTES + (size ? SCALABILITY_BYTES : 0);
    const first = frame.subarray(0, MAX_PAYLOAD_BYTES - firstOverhead);
    const pieces = [
      first,
      ...(frame.length > first.length
        ? split(frame.subarray(first.length), MAX_PAYLOAD_BYTES - HEADER_BYTES)
        : []),
    ];
    return pieces.map((piece, index) => {
      const begins = index === 0;
      const ends = index === pieces.length - 1;
      const scalability = begins && size;
      const header = Buffer.from([
        0x80 |
          (keyframe ? 0 : 0x40) |
          (begins ? 0x08 : 0) |
          (ends ? 0x04 : 0) |
          (scalability ? 0x02 : 0),
        0x80 | ((pictureId >> 8) & 0x7f),
        pictureId & 0xff,
      ]);
      if (!scalability) return Buffer.concat([header, piece]);
      const structure = Buffer.alloc(SCALABILITY_BYTES);
      structure[0] = 0x10; // one spatial layer, Y: its resolution follows
      structure.writeUInt16BE(size.width, 1);
      structure.writeUInt16BE(size.height, 3);
      return Buffer.concat([header, structure, piece]);
    });
  }
}

function keyframeSize(frame: Buffer): { width: number; height: number } | undefined {
  for (const part of splitVp9Superframe(frame)) {
    const header = parseVp9FrameHeader(part);
    if (header?.width !== undefined && header.height !== undefined) {
      return { width: header.width, height: header.height };
    }
  }
  return undefined;
}

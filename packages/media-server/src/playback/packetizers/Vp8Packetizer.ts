import { MAX_PAYLOAD_BYTES, type Packetizer, split } from './Packetizer.js';

const DESCRIPTOR_BYTES = 4;

/**
 * RFC 7741 with a 15-bit PictureID in every descriptor, so a receiver can tell a lost frame from
 * a late one and recognise a frame sent again.
 */
export class Vp8Packetizer implements Packetizer {
  packetize(frame: Buffer, _keyframe: boolean, pictureId: number): Buffer[] {
    return split(frame, MAX_PAYLOAD_BYTES - DESCRIPTOR_BYTES).map((piece, index) => {
      const descriptor = Buffer.from([
        0x80 | (index === 0 ? 0x10 : 0), // X, S on the first packet, partition 0
        0x80, // I: PictureID present
        0x80 | ((pictureId >> 8) & 0x7f), // M: 15-bit PictureID
        pictureId & 0xff,
      ]);
      return Buffer.concat([descriptor, piece]);
    });
  }
}

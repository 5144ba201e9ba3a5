/** Largest RTP payload sent: fits a 1500-byte MTU after IP, UDP, SRTP and RTP header extensions. */
export const MAX_PAYLOAD_BYTES = 1200;

/** Splits one frame into RTP payloads (RFC 7741, RFC 9628, RFC 6184, RFC 7587). */
export interface Packetizer {
  /**
   * The payloads of one frame, in order; video receivers expect the marker bit on the last.
   * `pictureId` numbers the frame (VP8/VP9 descriptors); repeat it to send a frame again.
   */
  packetize(frame: Buffer, keyframe: boolean, pictureId: number): Buffer[];
}

/** Cuts `data` into pieces of at most `size` bytes. */
export function split(data: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += size) {
    pieces.push(data.subarray(offset, Math.min(offset + size, data.length)));
  }
  return pieces.length > 0 ? pieces : [data];
}

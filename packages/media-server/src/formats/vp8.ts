/** VP8 bitstream facts (RFC 6386 section 9.1): the frame tag and the key-frame header. */

/** Whether a VP8 frame (not an RTP payload) is a key frame: bit 0 of the frame tag is 0. */
export function isVp8Keyframe(frame: Buffer): boolean {
  const tag = frame[0];
  return tag !== undefined && (tag & 0x01) === 0;
}

/** The picture size a VP8 key frame declares, or undefined for other frames. */
export function vp8FrameSize(frame: Buffer): { width: number; height: number } | undefined {
  if (!isVp8Keyframe(frame) || frame.length < 10) return undefined;
  if (frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a) return undefined;
  return { width: frame.readUInt16LE(6) & 0x3fff, height: frame.readUInt16LE(8) & 0x3fff };
}

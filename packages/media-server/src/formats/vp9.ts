import { BitReader } from './BitReader.js';

/** VP9 bitstream facts (VP9 bitstream specification, section 6.2 uncompressed header). */

const SYNC_CODE = 0x498342;
const COLOR_SPACE_RGB = 7;

export interface Vp9FrameHeader {
  readonly keyframe: boolean;
  readonly showFrame: boolean;
  /** Present on key frames. */
  readonly width?: number;
  readonly height?: number;
}

/** The frames of a VP9 superframe (several frames stored as one), or the data as one frame. */
export function splitVp9Superframe(data: Buffer): Buffer[] {
  const marker = data[data.length - 1];
  if (marker === undefined || (marker & 0xe0) !== 0xc0) return [data];
  const frames = (marker & 0x07) + 1;
  const sizeBytes = ((marker >> 3) & 0x03) + 1;
  const indexLength = 2 + sizeBytes * frames;
  if (data.length < indexLength || data[data.length - indexLength] !== marker) return [data];
  const result: Buffer[] = [];
  let offset = 0;
  let entry = data.length - indexLength + 1;
  for (let index = 0; index < frames; index++) {
    const size = data.readUIntLE(entry, sizeBytes);
    entry += sizeBytes;
    if (offset + size > data.length - indexLength) return [data];
    result.push(data.subarray(offset, offset + size));
    offset += size;
  }
  return result;
}

/** Stores several frames of one picture (spatial layers) as one superframe. */
export function joinVp9Superframe(frames: readonly Buffer[]): Buffer {
  if (frames.length === 1) return frames[0] as Buffer;
  const largest = Math.max(...frames.map((frame) => frame.length));
  const sizeBytes = largest < 0x100 ? 1 : largest < 0x10000 ? 2 : largest < 0x1000000 ? 3 : 4;
  const marker = 0xc0 | ((sizeBytes - 1) << 3) | (frames.length - 1);
  const index = Buffer.alloc(2 + sizeBytes * frames.length);
  index[0] = marker;
  frames.forEach((frame, position) => {
    index.writeUIntLE(frame.length, 1 + position * sizeBytes, sizeBytes);
  });
  index[index.length - 1] = marker;
  return Buffer.concat([...frames, index]);
}

/** Parses the start of a VP9 frame's uncompressed header; undefined when it is not VP9. */
export function parseVp9FrameHeader(frame: Buffer): Vp9FrameHeader | undefined {
  try {
    const reader = new BitReader(frame);
    if (reader.bits(2) !== 2) return undefined;
    const profileLow = reader.bits(1);
    const profile = (reader.bits(1) << 1) | profileLow;
    if (profile === 3) reader.skip(1);
    if (reader.flag()) return { keyframe: false, showFrame: true }; // show_existing_frame
    const keyframe = reader.bits(1) === 0;
    const showFrame = reader.flag();
    reader.skip(1); // error_resilient_mode
    if (!keyframe) return { keyframe, showFrame };
    if (reader.bits(24) !== SYNC_CODE) return undefined;
    if (profile >= 2) reader.skip(1);
    if (reader.bits(3) !== COLOR_SPACE_RGB) {
      reader.skip(1);
      if (profile === 1 || profile === 3) reader.skip(3);
    } else if (profile === 1 || profile === 3) {
      reader.skip(1);
    }
    const width = reader.bits(16) + 1;
    const height = reader.bits(16) + 1;
    return { keyframe, showFrame, width, height };
  } catch {
    return undefined;
  }
}

/** Whether a VP9 frame or superframe starts with a key frame. */
export function isVp9Keyframe(data: Buffer): boolean {
  const first = splitVp9Superframe(data)[0];
  return first !== undefined && parseVp9FrameHeader(first)?.keyframe === true;
}

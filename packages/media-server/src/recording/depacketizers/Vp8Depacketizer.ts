import { isVp8Keyframe, vp8FrameSize } from '../../formats/vp8.js';
import type { DepacketizedFrame } from '../EncodedFrame.js';
import type { Depacketizer } from './Depacketizer.js';

/** RFC 7741: strips the VP8 payload descriptor of each packet and joins the partitions. */
export class Vp8Depacketizer implements Depacketizer {
  depacketize(payloads: readonly Buffer[]): DepacketizedFrame | undefined {
    const parts: Buffer[] = [];
    for (const payload of payloads) {
      const offset = vp8DescriptorLength(payload);
      if (offset === undefined) return undefined;
      parts.push(payload.subarray(offset));
    }
    const data = Buffer.concat(parts);
    if (data.length === 0) return undefined;
    const keyframe = isVp8Keyframe(data);
    const size = keyframe ? vp8FrameSize(data) : undefined;
    return { data, keyframe, ...size };
  }

  startsFrame(payload: Buffer): boolean {
    const first = payload[0];
    // S bit set and partition index 0.
    return first !== undefined && (first & 0x10) !== 0 && (first & 0x07) === 0;
  }
}

/** Bytes taken by the payload descriptor, or undefined when the packet is too short. */
export function vp8DescriptorLength(payload: Buffer): number | undefined {
  const first = payload[0];
  if (first === undefined) return undefined;
  let offset = 1;
  if (first & 0x80) {
    const extension = payload[offset++];
    if (extension === undefined) return undefined;
    if (extension & 0x80) {
      const pictureId = payload[offset++];
      if (pictureId === undefined) return undefined;
      if (pictureId & 0x80) offset++;
    }
    if (extension & 0x40) offset++;
    if (extension & 0x30) offset++;
  }
  return offset <= payload.length ? offset : undefined;
}

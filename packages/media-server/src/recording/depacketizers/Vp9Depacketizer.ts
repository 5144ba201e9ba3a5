import { joinVp9Superframe, parseVp9FrameHeader } from '../../formats/vp9.js';
import type { DepacketizedFrame } from '../EncodedFrame.js';
import type { Depacketizer } from './Depacketizer.js';

const BEGINNING_OF_FRAME = 0x08;

/**
 * RFC 9628: strips the VP9 payload descriptor. The packets of one RTP timestamp carry one
 * picture; with spatial layers, one frame per layer, each from a B bit to an E bit. Several
 * layer frames are stored as one superframe, as a decoder reads them from a file.
 */
export class Vp9Depacketizer implements Depacketizer {
  depacketize(payloads: readonly Buffer[]): DepacketizedFrame | undefined {
    const layerFrames: Buffer[][] = [];
    for (const payload of payloads) {
      const offset = vp9DescriptorLength(payload);
      if (offset === undefined) return undefined;
      const beginsFrame = ((payload[0] as number) & BEGINNING_OF_FRAME) !== 0;
      if (beginsFrame || layerFrames.length === 0) layerFrames.push([]);
      layerFrames[layerFrames.length - 1]?.push(payload.subarray(offset));
    }
    const frames = layerFrames.map((parts) => Buffer.concat(parts)).filter((f) => f.length > 0);
    const first = frames[0];
    if (!first) return undefined;
    const header = parseVp9FrameHeader(first);
    const keyframe = header?.keyframe === true;
    // With spatial layers, the top one is the picture a player shows.
    const size = keyframe ? largestLayerSize(frames) : undefined;
    return { data: joinVp9Superframe(frames), keyframe, ...size };
  }

  startsFrame(payload: Buffer): boolean {
    return ((payload[0] ?? 0) & BEGINNING_OF_FRAME) !== 0;
  }
}

function largestLayerSize(
  frames: readonly Buffer[],
): { width: number; height: number } | undefined {
  let largest: { width: number; height: number } | undefined;
  for (const frame of frames) {
    const { width, height } = parseVp9FrameHeader(frame) ?? {};
    if (width === undefined || height === undefined) continue;
    if (!largest || width > largest.width) largest = { width, height };
  }
  return largest;
}

/** Bytes taken by the payload descriptor (with its scalability structure), or undefined. */
export function vp9DescriptorLength(payload: Buffer): number | undefined {
  const first = payload[0];
  if (first === undefined) return undefined;
  const hasPictureId = (first & 0x80) !== 0;
  const interPicture = (first & 0x40) !== 0;
  const hasLayers = (first & 0x20) !== 0;
  const flexible = (first & 0x10) !== 0;
  const hasScalability = (first & 0x02) !== 0;
  let offset = 1;
  const byteAt = (position: number) => payload[position];
  if (hasPictureId) {
    const pictureId = byteAt(offset);
    if (pictureId === undefined) return undefined;
    offset += pictureId & 0x80 ? 2 : 1;
  }
  if (hasLayers) offset += flexible ? 1 : 2;
  if (flexible && interPicture) {
    for (let count = 0; count < 3; count++) {
      const reference = byteAt(offset++);
      if (reference === undefined) return undefined;
      if ((reference & 0x01) === 0) break;
    }
  }
  if (hasScalability) {
    const structure = byteAt(offset++);
    if (structure === undefined) return undefined;
    const spatialLayers = (structure >> 5) + 1;
    if (structure & 0x10) offset += 4 * spatialLayers;
    if (structure & 0x08) {
      const groupSize = byteAt(offset++);
      if (groupSize === undefined) return undefined;
      for (let picture = 0; picture < groupSize; picture++) {
        const description = byteAt(offset++);
        if (description === undefined) return undefined;
        offset += (description >> 2) & 0x03;
      }
    }
  }
  return offset <= payload.length ? offset : undefined;
}

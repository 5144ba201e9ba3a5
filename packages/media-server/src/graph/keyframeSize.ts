import { NalType, nalType, parseSps } from '../formats/h264.js';
import { vp8FrameSize } from '../formats/vp8.js';
import { vp8FrameStart } from './keyframe.js';
import { codecName, type MediaCodec } from './MediaCodec.js';

/** A picture size in pixels. */
export interface VideoSize {
  /** Pixels across. */
  readonly width: number;
  /** Pixels down. */
  readonly height: number;
}

/**
 * The picture size an RTP payload declares, read without decoding: the key-frame header of VP8,
 * the scalability structure of VP9 (its largest layer), an H.264 SPS (alone or in a STAP-A).
 * Undefined for every other packet, and for codecs that are not inspected.
 */
export function videoSizeOf(codec: MediaCodec, payload: Buffer): VideoSize | undefined {
  switch (codecName(codec)) {
    case 'VP8':
      return vp8SizeOf(payload);
    case 'VP9':
      return vp9SizeOf(payload);
    case 'H264':
      return h264SizeOf(payload);
    default:
      return undefined;
  }
}

function vp8SizeOf(payload: Buffer): VideoSize | undefined {
  const start = vp8FrameStart(payload);
  return start === undefined ? undefined : vp8FrameSize(payload.subarray(start));
}

const VP9_PICTURE_ID = 0x80;
const VP9_INTER_PREDICTED = 0x40;
const VP9_LAYER_INDICES = 0x20;
const VP9_FLEXIBLE = 0x10;
const VP9_SCALABILITY_STRUCTURE = 0x02;
const VP9_MAX_REFERENCES = 3;

/** RFC 9628 section 4.2: the payload descriptor's scalability structure, when it has sizes. */
function vp9SizeOf(payload: Buffer): VideoSize | undefined {
  const first = payload[0];
  if (first === undefined || !(first & VP9_SCALABILITY_STRUCTURE)) return undefined;
  let offset = 1;
  if (first & VP9_PICTURE_ID) offset += ((payload[offset] ?? 0) & 0x80) !== 0 ? 2 : 1;
  if (first & VP9_LAYER_INDICES) offset += first & VP9_FLEXIBLE ? 1 : 2;
  if (first & VP9_FLEXIBLE && first & VP9_INTER_PREDICTED) {
    for (let reference = 0; reference < VP9_MAX_REFERENCES; reference++) {
      const diff = payload[offset++];
      if (diff === undefined || !(diff & 0x01)) break;
    }
  }
  const structure = payload[offset++];
  if (structure === undefined) return undefined;
  const layers = (structure >> 5) + 1;
  const hasSizes = (structure & 0x10) !== 0;
  if (!hasSizes || offset + layers * 4 > payload.length) return undefined;
  let largest: VideoSize | undefined;
  for (let layer = 0; layer < layers; layer++) {
    const width = payload.readUInt16BE(offset + layer * 4);
    const height = payload.readUInt16BE(offset + layer * 4 + 2);
    if (!largest || width * height > largest.width * largest.height) largest = { width, height };
  }
  return largest;
}

function h264SizeOf(payload: Buffer): VideoSize | undefined {
  const type = nalType(payload);
  if (type === NalType.SPS) return spsSize(payload);
  if (type !== NalType.STAP_A) return undefined;
  let offset = 1;
  while (offset + 2 < payload.length) {
    const size = payload.readUInt16BE(offset);
    const nal = payload.subarray(offset + 2, offset + 2 + size);
    if (nalType(nal) === NalType.SPS) return spsSize(nal);
    offset += 2 + size;
  }
  return undefined;
}

function spsSize(sps: Buffer): VideoSize | undefined {
  const parsed = parseSps(sps);
  return parsed && { width: parsed.width, height: parsed.height };
}

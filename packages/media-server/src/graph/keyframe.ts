import { codecName, type MediaCodec } from './MediaCodec.js';

/**
 * Whether an RTP payload starts a frame that a decoder can start from (an intra frame), for the
 * video codecs the server negotiates. Returns undefined for codecs it cannot inspect, so callers
 * can choose not to wait for a keyframe they would never recognise.
 */
export function isKeyframeStart(codec: MediaCodec, payload: Buffer): boolean | undefined {
  switch (codecName(codec)) {
    case 'VP8':
      return isVp8KeyframeStart(payload);
    case 'VP9':
      return isVp9KeyframeStart(payload);
    case 'H264':
      return isH264KeyframeStart(payload);
    default:
      return undefined;
  }
}

/** RFC 7741: payload descriptor, then the VP8 payload header whose P bit is 0 on key frames. */
export function isVp8KeyframeStart(payload: Buffer): boolean {
  const offset = vp8FrameStart(payload);
  if (offset === undefined) return false;
  const header = payload[offset];
  return header !== undefined && (header & 0x01) === 0;
}

/**
 * Where the VP8 frame starts in an RTP payload that begins one (RFC 7741: after the payload
 * descriptor, on the first packet of partition 0); undefined for any other packet.
 */
export function vp8FrameStart(payload: Buffer): number | undefined {
  const first = payload[0];
  if (first === undefined) return undefined;
  const startOfPartition = (first & 0x10) !== 0;
  const partitionIndex = first & 0x07;
  if (!startOfPartition || partitionIndex !== 0) return undefined;
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
  return offset < payload.length ? offset : undefined;
}

/** RFC 9628 (VP9 payload descriptor): P bit 0 (not inter-predicted) on the first packet (B bit). */
export function isVp9KeyframeStart(payload: Buffer): boolean {
  const first = payload[0];
  if (first === undefined) return false;
  const interPredicted = (first & 0x40) !== 0;
  const beginningOfFrame = (first & 0x08) !== 0;
  return !interPredicted && beginningOfFrame;
}

const H264_IDR = 5;
const H264_SPS = 7;
const H264_STAP_A = 24;
const H264_FU_A = 28;

/** RFC 6184: an IDR slice or an SPS, alone, aggregated in a STAP-A, or starting an FU-A. */
export function isH264KeyframeStart(payload: Buffer): boolean {
  const first = payload[0];
  if (first === undefined) return false;
  const nalType = first & 0x1f;
  if (nalType === H264_IDR || nalType === H264_SPS) return true;
  if (nalType === H264_FU_A) {
    const fuHeader = payload[1];
    if (fuHeader === undefined) return false;
    const isStart = (fuHeader & 0x80) !== 0;
    const fragmentType = fuHeader & 0x1f;
    return isStart && (fragmentType === H264_IDR || fragmentType === H264_SPS);
  }
  if (nalType === H264_STAP_A) {
    let offset = 1;
    while (offset + 2 < payload.length) {
      const size = payload.readUInt16BE(offset);
      const aggregatedType = (payload[offset + 2] as number) & 0x1f;
      if (aggregatedType === H264_IDR || aggregatedType === H264_SPS) return true;
      offset += 2 + size;
    }
  }
  return false;
}

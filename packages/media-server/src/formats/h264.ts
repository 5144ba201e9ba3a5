import { BitReader } from './BitReader.js';

/** H.264 NAL unit types the server looks at (ITU-T H.264 table 7-1, RFC 6184). */
export const NalType = {
  NON_IDR_SLICE: 1,
  IDR_SLICE: 5,
  SEI: 6,
  SPS: 7,
  PPS: 8,
  ACCESS_UNIT_DELIMITER: 9,
  STAP_A: 24,
  FU_A: 28,
} as const;

export function nalType(nal: Buffer): number {
  return (nal[0] ?? 0) & 0x1f;
}

/** What an SPS says about the picture (for track headers). */
export interface SequenceParameters {
  readonly profileIdc: number;
  readonly levelIdc: number;
  readonly width: number;
  readonly height: number;
}

/** The RBSP of a NAL unit: its payload with emulation-prevention bytes (00 00 03) removed. */
export function unescapeRbsp(nal: Buffer): Buffer {
  const out = Buffer.alloc(nal.length);
  let length = 0;
  let zeros = 0;
  for (let index = 1; index < nal.length; index++) {
    const byte = nal[index] as number;
    if (zeros >= 2 && byte === 3) {
      zeros = 0;
      continue;
    }
    zeros = byte === 0 ? zeros + 1 : 0;
    out[length++] = byte;
  }
  return out.subarray(0, length);
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Parses the picture size out of an SPS NAL unit; undefined when it is malformed. */
export function parseSps(sps: Buffer): SequenceParameters | undefined {
  try {
    const reader = new BitReader(unescapeRbsp(sps));
    const profileIdc = reader.bits(8);
    reader.skip(8); // constraint flags
    const levelIdc = reader.bits(8);
    reader.unsignedExpGolomb(); // seq_parameter_set_id
    let chromaFormatIdc = 1;
    if (HIGH_PROFILES.has(profileIdc)) {
      chromaFormatIdc = reader.unsignedExpGolomb();
      if (chromaFormatIdc === 3) reader.skip(1);
      reader.unsignedExpGolomb(); // bit_depth_luma_minus8
      reader.unsignedExpGolomb(); // bit_depth_chroma_minus8
      reader.skip(1);
      if (reader.flag()) {
        const lists = chromaFormatIdc === 3 ? 12 : 8;
        for (let list = 0; list < lists; list++) {
          if (reader.flag()) skipScalingList(reader, list < 6 ? 16 : 64);
        }
      }
    }
    reader.unsignedExpGolomb(); // log2_max_frame_num_minus4
    const pictureOrderCountType = reader.unsignedExpGolomb();
    if (pictureOrderCountType === 0) {
      reader.unsignedExpGolomb();
    } else if (pictureOrderCountType === 1) {
      reader.skip(1);
      reader.signedExpGolomb();
      reader.signedExpGolomb();
      const cycle = reader.unsignedExpGolomb();
      for (let index = 0; index < cycle; index++) reader.signedExpGolomb();
    }
    reader.unsignedExpGolomb(); // max_num_ref_frames
    reader.skip(1);
    const widthInMbs = reader.unsignedExpGolomb() + 1;
    const heightInMapUnits = reader.unsignedExpGolomb() + 1;
    const frameMbsOnly = reader.flag();
    if (!frameMbsOnly) reader.skip(1);
    reader.skip(1); // direct_8x8_inference_flag
    let crop = { left: 0, right: 0, top: 0, bottom: 0 };
    if (reader.flag()) {
      crop = {
        left: reader.unsignedExpGolomb(),
        right: reader.unsignedExpGolomb(),
        top: reader.unsignedExpGolomb(),
        bottom: reader.unsignedExpGolomb(),
      };
    }
    const cropUnitX = chromaFormatIdc === 0 || chromaFormatIdc === 3 ? 1 : 2;
    const cropUnitY = (chromaFormatIdc === 1 ? 2 : 1) * (frameMbsOnly ? 1 : 2);
    const width = widthInMbs * 16 - cropUnitX * (crop.left + crop.right);
    const height =
      (frameMbsOnly ? 1 : 2) * heightInMapUnits * 16 - cropUnitY * (crop.top + crop.bottom);
    if (width <= 0 || height <= 0) return undefined;
    return { profileIdc, levelIdc, width, height };
  } catch {
    return undefined;
  }
}

function skipScalingList(reader: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let index = 0; index < size; index++) {
    if (next !== 0) next = (last + reader.signedExpGolomb() + 256) % 256;
    last = next === 0 ? last : next;
  }
}

/**
 * The AVCDecoderConfigurationRecord (ISO/IEC 14496-15) for one SPS and one PPS: the `avcC` box
 * body of MP4 and the CodecPrivate of Matroska's V_MPEG4/ISO/AVC. NAL lengths take 4 bytes.
 */
export function avcDecoderConfiguration(sps: Buffer, pps: Buffer): Buffer {
  const header = Buffer.from([
    1,
    sps[1] ?? 0x42,
    sps[2] ?? 0xe0,
    sps[3] ?? 0x1f,
    0xff, // 6 reserved bits, lengthSizeMinusOne = 3
    0xe1, // 3 reserved bits, one SPS
  ]);
  const spsLength = Buffer.alloc(2);
  spsLength.writeUInt16BE(sps.length);
  const ppsHeader = Buffer.from([1, 0, 0]);
  ppsHeader.writeUInt16BE(pps.length, 1);
  return Buffer.concat([header, spsLength, sps, ppsHeader, pps]);
}

/** The SPS and PPS NAL units of an AVCDecoderConfigurationRecord, and its NAL length size. */
export function parseAvcDecoderConfiguration(
  record: Buffer,
): { sps: Buffer[]; pps: Buffer[]; nalLengthSize: number } | undefined {
  if (record.length < 7 || record[0] !== 1) return undefined;
  const nalLengthSize = ((record[4] as number) & 0x03) + 1;
  const sps: Buffer[] = [];
  const pps: Buffer[] = [];
  let offset = 6;
  const read = (count: number, into: Buffer[]): boolean => {
    for (let index = 0; index < count; index++) {
      if (offset + 2 > record.length) return false;
      const length = record.readUInt16BE(offset);
      offset += 2;
      if (offset + length > record.length) return false;
      into.push(record.subarray(offset, offset + length));
      offset += length;
    }
    return true;
  };
  if (!read((record[5] as number) & 0x1f, sps)) return undefined;
  if (offset >= record.length) return undefined;
  const ppsCount = record[offset++] as number;
  if (!read(ppsCount, pps)) return undefined;
  return { sps, pps, nalLengthSize };
}

/** NAL units of a length-prefixed (AVCC) access unit. */
export function splitLengthPrefixed(accessUnit: Buffer, lengthSize = 4): Buffer[] {
  const nals: Buffer[] = [];
  let offset = 0;
  while (offset + lengthSize <= accessUnit.length) {
    const length = accessUnit.readUIntBE(offset, lengthSize);
    offset += lengthSize;
    if (length === 0 || offset + length > accessUnit.length) break;
    nals.push(accessUnit.subarray(offset, offset + length));
    offset += length;
  }
  return nals;
}

/** An access unit in AVCC form: each NAL unit prefixed with its 4-byte length. */
export function joinLengthPrefixed(nals: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const nal of nals) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(nal.length);
    parts.push(length, nal);
  }
  return Buffer.concat(parts);
}

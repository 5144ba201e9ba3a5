/**
 * EBML, the binary format of Matroska and WebM: element ids, variable-length integers and the
 * few element encoders the muxer needs. Ids are kept with their length-marker bits, as the
 * Matroska specification writes them (Segment is 0x18538067).
 */

export const EbmlId = {
  EBML: 0x1a45dfa3,
  EBMLVersion: 0x4286,
  EBMLReadVersion: 0x42f7,
  EBMLMaxIDLength: 0x42f2,
  EBMLMaxSizeLength: 0x42f3,
  DocType: 0x4282,
  DocTypeVersion: 0x4287,
  DocTypeReadVersion: 0x4285,
  Void: 0xec,
  Segment: 0x18538067,
  SeekHead: 0x114d9b74,
  Seek: 0x4dbb,
  SeekID: 0x53ab,
  SeekPosition: 0x53ac,
  Info: 0x1549a966,
  TimecodeScale: 0x2ad7b1,
  Duration: 0x4489,
  DateUTC: 0x4461,
  MuxingApp: 0x4d80,
  WritingApp: 0x5741,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  TrackUID: 0x73c5,
  TrackType: 0x83,
  FlagLacing: 0x9c,
  CodecID: 0x86,
  CodecPrivate: 0x63a2,
  CodecDelay: 0x56aa,
  SeekPreRoll: 0x56bb,
  DefaultDuration: 0x23e383,
  ContentEncodings: 0x6d80,
  Video: 0xe0,
  PixelWidth: 0xb0,
  PixelHeight: 0xba,
  Audio: 0xe1,
  SamplingFrequency: 0xb5,
  Channels: 0x9f,
  Cluster: 0x1f43b675,
  Timecode: 0xe7,
  SimpleBlock: 0xa3,
  BlockGroup: 0xa0,
  Block: 0xa1,
  Cues: 0x1c53bb6b,
  CuePoint: 0xbb,
  CueTime: 0xb3,
  CueTrackPositions: 0xb7,
  CueTrack: 0xf7,
  CueClusterPosition: 0xf1,
  Tags: 0x1254c367,
  Chapters: 0x1043a770,
  Attachments: 0x1941a469,
} as const;

/** Matroska TrackType values. */
export const TrackType = { video: 1, audio: 2 } as const;

/** The size field of a master element whose end is not known yet (8 bytes, all value bits set). */
export const UNKNOWN_SIZE = Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

/** The largest size an 8-byte vint holds (all ones means unknown). */
const MAX_SIZE = 2 ** 56 - 2;

/** Bytes an element id takes, from the position of its first set bit. */
export function idLength(firstByte: number): number {
  if (firstByte & 0x80) return 1;
  if (firstByte & 0x40) return 2;
  if (firstByte & 0x20) return 3;
  if (firstByte & 0x10) return 4;
  return 0;
}

export function encodeId(id: number): Buffer {
  const length = id > 0xffffff ? 4 : id > 0xffff ? 3 : id > 0xff ? 2 : 1;
  const bytes = Buffer.alloc(length);
  bytes.writeUIntBE(id, 0, length);
  return bytes;
}

/** A size as an EBML vint, in `width` bytes (1-8) or the fewest that hold it. */
export function encodeSize(size: number, width?: number): Buffer {
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_SIZE) {
    throw new RangeError(`EBML size out of range: ${size}`);
  }
  let length = width ?? 1;
  if (width === undefined) while (size >= 2 ** (7 * length) - 1) length++;
  const bytes = Buffer.alloc(length);
  let value = size;
  for (let index = length - 1; index >= 0; index--) {
    bytes[index] = value % 256;
    value = Math.floor(value / 256);
  }
  bytes[0] = (bytes[0] as number) | (0x80 >> (length - 1));
  return bytes;
}

export function element(id: number, ...payload: Buffer[]): Buffer {
  const body = payload.length === 1 ? (payload[0] as Buffer) : Buffer.concat(payload);
  return Buffer.concat([encodeId(id), encodeSize(body.length), body]);
}

export function uintElement(id: number, value: number): Buffer {
  let length = 1;
  while (length < 8 && value >= 2 ** (8 * length)) length++;
  const body = Buffer.alloc(length);
  let rest = value;
  for (let index = length - 1; index >= 0; index--) {
    body[index] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return element(id, body);
}

export function floatElement(id: number, value: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeDoubleBE(value);
  return element(id, body);
}

export function stringElement(id: number, value: string): Buffer {
  return element(id, Buffer.from(value, 'utf8'));
}

/**
 * A Void element of exactly `totalBytes` (at least 2): placeholder space that a later rewrite
 * fills with an element of the same size (the duration, the SeekHead).
 */
export function voidElement(totalBytes: number): Buffer {
  if (totalBytes < 2) throw new RangeError('a Void element takes at least 2 bytes');
  // A one-byte size holds up to 126; above, use an 8-byte size so the total stays exact.
  const sizeWidth = totalBytes - 2 <= 126 ? 1 : 8;
  const payload = totalBytes - 1 - sizeWidth;
  return Buffer.concat([
    encodeId(EbmlId.Void),
    encodeSize(payload, sizeWidth),
    Buffer.alloc(payload),
  ]);
}

/** A vint read from `buffer` at `offset`: its value (undefined for "unknown") and its length. */
export interface Vint {
  readonly value: number | undefined;
  readonly length: number;
}

/** Reads a size vint; returns undefined when the buffer ends inside it or it is malformed. */
export function readSize(buffer: Buffer, offset: number): Vint | undefined {
  const first = buffer[offset];
  if (first === undefined || first === 0) return undefined;
  let length = 1;
  while (!(first & (0x80 >> (length - 1)))) length++;
  if (offset + length > buffer.length) return undefined;
  let value = first & (0xff >> length);
  let allOnes = value === 0xff >> length;
  for (let index = 1; index < length; index++) {
    const byte = buffer[offset + index] as number;
    if (byte !== 0xff) allOnes = false;
    value = value * 256 + byte;
  }
  return { value: allOnes ? undefined : value, length };
}

/** Reads an element id; returns undefined when the buffer ends inside it or it is malformed. */
export function readId(buffer: Buffer, offset: number): { id: number; length: number } | undefined {
  const first = buffer[offset];
  if (first === undefined) return undefined;
  const length = idLength(first);
  if (length === 0 || offset + length > buffer.length) return undefined;
  return { id: buffer.readUIntBE(offset, length), length };
}

export function readUint(body: Buffer): number {
  let value = 0;
  for (const byte of body) value = value * 256 + byte;
  return value;
}

export function readFloat(body: Buffer): number {
  if (body.length === 4) return body.readFloatBE(0);
  if (body.length === 8) return body.readDoubleBE(0);
  return 0;
}

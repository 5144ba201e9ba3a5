import type { RecordedCodec, TrackKind } from '../../recording/MediaProfile.js';
import type { ByteSource } from '../ByteSource.js';
import type { DemuxedFrame, Demuxer, PlayableTrack } from '../DemuxedMedia.js';
import { MediaFileError } from '../errors.js';
import { childBoxes, findBox, findPath, fullBox, readU64 } from './boxes.js';

const CODECS: Readonly<Record<string, RecordedCodec>> = {
  avc1: 'H264',
  avc3: 'H264',
  vp08: 'VP8',
  vp09: 'VP9',
  Opus: 'OPUS',
};
/** The moov, and each moof, is read whole; larger ones mean a broken or hostile file. */
const MAX_INDEX_BOX_BYTES = 64 * 1024 * 1024;
/** trun/tfhd sample flags: sample_is_non_sync_sample. */
const NON_SYNC_SAMPLE = 0x10000;
/** Larger samples, or more of them per track, mean a broken or hostile file. */
const MAX_SAMPLE_BYTES = 32 * 1024 * 1024;
const MAX_SAMPLES_PER_TRACK = 10_000_000;
/** Samples are read from the file in batches of about this many bytes. */
const READ_BATCH_BYTES = 512 * 1024;

interface Sample {
  readonly offset: number;
  readonly size: number;
  /** Presentation time in ms. */
  readonly timeMs: number;
  readonly sync: boolean;
}

interface Mp4Track extends PlayableTrack {
  readonly id: number;
  readonly timescale: number;
  readonly samples: Sample[];
  /** Defaults for fragments (trex). */
  defaultDuration: number;
  defaultSize: number;
  defaultFlags: number;
}

interface IndexedSample extends Sample {
  readonly kind: TrackKind;
}

/**
 * Reads MP4 files, progressive (sample tables in `moov`) or fragmented (`moof` + `mdat`, as the
 * recorder writes them, including a file cut short by a crash). Opening indexes every sample of
 * the first H.264/VP8/VP9 video and Opus audio track; frames are then read in time order.
 * Edit lists are not applied.
 */
export class Mp4Demuxer implements Demuxer {
  readonly tracks: readonly PlayableTrack[];
  readonly durationMs: number;
  readonly #source: ByteSource;
  /** Every sample of the played tracks, in time order. */
  readonly #samples: readonly IndexedSample[];

  private constructor(source: ByteSource, tracks: readonly Mp4Track[]) {
    this.#source = source;
    this.tracks = tracks.map(playable);
    this.#samples = tracks
      .flatMap((track) => track.samples.map((sample) => ({ ...sample, kind: track.kind })))
      .sort((a, b) => a.timeMs - b.timeMs || a.offset - b.offset);
    this.durationMs = Math.max(0, ...tracks.map((track) => trackEndMs(track)));
  }

  /** @throws MediaFileError when the data is not a playable MP4 file */
  static async open(source: ByteSource): Promise<Mp4Demuxer> {
    const topLevel = await topLevelBoxes(source);
    const moov = topLevel.find((box) => box.type === 'moov');
    if (!moov) throw new MediaFileError('NOT_SUPPORTED', 'an MP4 file without a moov box');
    const moovBody = await readBoxBody(source, moov);
    const tracks = pickTracks(
      childBoxes(moovBody)
        .filter((box) => box.type === 'trak')
        .flatMap((trak) => parseTrack(trak.body)),
    );
    applyTrackDefaults(moovBody, tracks);
    for (const moof of topLevel.filter((box) => box.type === 'moof')) {
      addFragment(await readBoxBody(source, moof), moof.offset, tracks, source.size);
    }
    for (const track of tracks) {
      if (track.samples.some((sample) => sample.size > MAX_SAMPLE_BYTES)) {
        throw new MediaFileError('NOT_SUPPORTED', `a sample larger than ${MAX_SAMPLE_BYTES} bytes`);
      }
      track.samples.splice(
        0,
        track.samples.length,
        ...track.samples.filter((s) => s.offset + s.size <= source.size),
      );
    }
    return new Mp4Demuxer(source, tracks);
  }

  async *frames(positionMs: number): AsyncIterableIterator<DemuxedFrame> {
    const samples = this.#samples;
    const startMs = this.#seekPoint(positionMs);
    let index = samples.findIndex((sample) => sample.timeMs >= startMs);
    if (index < 0) return;
    let videoStarted = !this.tracks.some((track) => track.kind === 'video');
    while (index < samples.length) {
      // One read for a run of samples that sit close together in the file.
      const batch: IndexedSample[] = [];
      let start = (samples[index] as IndexedSample).offset;
      let end = start;
      while (index < samples.length) {
        const sample = samples[index] as IndexedSample;
        if (
          batch.length > 0 &&
          (sample.offset < start || sample.offset + sample.size - start > READ_BATCH_BYTES)
        )
          break;
        start = Math.min(start, sample.offset);
        end = Math.max(end, sample.offset + sample.size);
        batch.push(sample);
        index++;
      }
      const bytes = await this.#source.read(start, end - start);
      for (const sample of batch) {
        const data = bytes.subarray(sample.offset - start, sample.offset - start + sample.size);
        if (data.length < sample.size) return; // the file ends early
        if (sample.kind === 'video' && !videoStarted) {
          if (!sample.sync) continue;
          videoStarted = true;
        }
        yield { kind: sample.kind, timeMs: sample.timeMs, data, keyframe: sample.sync };
      }
    }
  }

  close(): Promise<void> {
    return this.#source.close();
  }

  /** The last video sync sample at or before the position (the position itself without video). */
  #seekPoint(positionMs: number): number {
    if (positionMs <= 0) return 0;
    let start: number | undefined;
    let hasVideo = false;
    for (const sample of this.#samples) {
      if (sample.kind !== 'video') continue;
      hasVideo = true;
      if (sample.timeMs > positionMs) break;
      if (sample.sync) start = sample.timeMs;
    }
    return hasVideo ? (start ?? 0) : positionMs;
  }
}

interface TopLevelBox {
  readonly type: string;
  readonly offset: number;
  readonly headerSize: number;
  readonly size: number;
}

async function topLevelBoxes(source: ByteSource): Promise<TopLevelBox[]> {
  const boxes: TopLevelBox[] = [];
  let offset = 0;
  while (offset + 8 <= source.size) {
    const header = await source.read(offset, 16);
    if (header.length < 8) break;
    let size = header.readUInt32BE(0);
    const type = header.toString('latin1', 4, 8);
    let headerSize = 8;
    if (size === 1 && header.length >= 16) {
      size = readU64(header, 8);
      headerSize = 16;
    } else if (size === 0) {
      size = source.size - offset;
    }
    if (size < headerSize) break;
    boxes.push({ type, offset, headerSize, size });
    offset += size;
  }
  return boxes;
}

async function readBoxBody(source: ByteSource, box: TopLevelBox): Promise<Buffer> {
  const bodySize = box.size - box.headerSize;
  if (bodySize > MAX_INDEX_BOX_BYTES) {
    throw new MediaFileError(
      'NOT_SUPPORTED',
      `a ${box.type} box of ${box.size} bytes is too large`,
    );
  }
  return source.read(box.offset + box.headerSize, bodySize);
}

function parseTrack(trak: Buffer): Mp4Track[] {
  const tkhd = findBox(trak, 'tkhd');
  const mdhd = findPath(trak, ['mdia', 'mdhd']);
  const handler = findPath(trak, ['mdia', 'hdlr'])?.toString('latin1', 8, 12);
  const stbl = findPath(trak, ['mdia', 'minf', 'stbl']);
  if (!tkhd || !mdhd || !stbl) return [];
  const kind: TrackKind | undefined =
    handler === 'vide' ? 'video' : handler === 'soun' ? 'audio' : undefined;
  if (!kind) return [];
  const id = tkhd.readUInt32BE(fullBox(tkhd).version === 1 ? 20 : 12);
  const timescale = mdhd.readUInt32BE(fullBox(mdhd).version === 1 ? 20 : 12);
  const entry = sampleEntry(stbl);
  if (!entry || timescale === 0) return [];
  const codec = CODECS[entry.type];
  if (!codec || (kind === 'audio') !== (codec === 'OPUS')) return [];
  const details = entryDetails(entry.type, entry.body);
  if (codec === 'H264' && !details.avcConfiguration) return [];
  return [
    {
      kind,
      codec,
      number: id,
      id,
      timescale,
      ...details,
      samples: sampleTable(stbl, timescale),
      defaultDuration: 0,
      defaultSize: 0,
      defaultFlags: 0,
    },
  ];
}

function sampleEntry(stbl: Buffer): { type: string; body: Buffer } | undefined {
  const stsd = findBox(stbl, 'stsd');
  if (!stsd || stsd.length < 8) return undefined;
  return childBoxes(stsd.subarray(8))[0];
}

/** What the sample entry says: picture size and H.264 configuration, or audio channels. */
function entryDetails(
  type: string,
  body: Buffer,
): Pick<PlayableTrack, 'width' | 'height' | 'channels' | 'avcConfiguration'> {
  if (type === 'Opus') {
    const dOps = findBox(body.subarray(28), 'dOps');
    const channels = dOps?.[1] ?? (body.length >= 18 ? body.readUInt16BE(16) : 2);
    return { channels };
  }
  const width = body.length >= 28 ? body.readUInt16BE(24) : undefined;
  const height = body.length >= 28 ? body.readUInt16BE(26) : undefined;
  const avcConfiguration = findBox(body.subarray(78), 'avcC');
  return {
    ...(width ? { width } : {}),
    ...(height ? { height } : {}),
    ...(avcConfiguration ? { avcConfiguration: Buffer.from(avcConfiguration) } : {}),
  };
}

/** The samples of a progressive track's sample tables (stts, ctts, stsc, stsz, stco, stss). */
function sampleTable(stbl: Buffer, timescale: number): Sample[] {
  const sizes = sampleSizes(stbl);
  if (sizes.length === 0) return [];
  const durations = runs(findBox(stbl, 'stts'), sizes.length);
  const compositionOffsets = runs(findBox(stbl, 'ctts'), sizes.length, true);
  const offsets = sampleOffsets(stbl, sizes);
  const syncSamples = syncSampleSet(stbl);
  const samples: Sample[] = [];
  let decodeTime = 0;
  for (let index = 0; index < sizes.length; index++) {
    const offset = offsets[index];
    if (offset === undefined) break;
    samples.push({
      offset,
      size: sizes[index] as number,
      timeMs: ((decodeTime + (compositionOffsets[index] ?? 0)) * 1000) / timescale,
      sync: syncSamples ? syncSamples.has(index + 1) : true,
    });
    decodeTime += durations[index] ?? 0;
  }
  return samples;
}

function sampleSizes(stbl: Buffer): number[] {
  const stsz = findBox(stbl, 'stsz');
  if (stsz && stsz.length >= 12) {
    const fixed = stsz.readUInt32BE(4);
    const count = stsz.readUInt32BE(8);
    if (fixed !== 0) return new Array<number>(Math.min(count, MAX_SAMPLES_PER_TRACK)).fill(fixed);
    const sizes: number[] = [];
    for (let index = 0; index < count && 12 + index * 4 + 4 <= stsz.length; index++) {
      sizes.push(stsz.readUInt32BE(12 + index * 4));
    }
    return sizes;
  }
  const stz2 = findBox(stbl, 'stz2');
  if (!stz2 || stz2.length < 12) return [];
  const fieldBits = stz2[7] as number;
  const count = stz2.readUInt32BE(8);
  const sizes: number[] = [];
  for (let index = 0; index < count; index++) {
    const bitOffset = index * fieldBits;
    const byte = stz2[12 + (bitOffset >> 3)];
    if (byte === undefined) break;
    if (fieldBits === 4) sizes.push(bitOffset % 8 === 0 ? byte >> 4 : byte & 0x0f);
    else if (fieldBits === 8) sizes.push(byte);
    else sizes.push(stz2.readUInt16BE(12 + index * 2));
  }
  return sizes;
}

/** Expands an stts/ctts table (count, value pairs) to one value per sample. */
function runs(table: Buffer | undefined, sampleCount: number, signed = false): number[] {
  const values: number[] = [];
  if (!table || table.length < 8) return values;
  const entries = table.readUInt32BE(4);
  const signedValues = signed && fullBox(table).version === 1;
  for (let entry = 0; entry < entries && values.length < sampleCount; entry++) {
    const at = 8 + entry * 8;
    if (at + 8 > table.length) break;
    const count = table.readUInt32BE(at);
    const value = signedValues ? table.readInt32BE(at + 4) : table.readUInt32BE(at + 4);
    for (let index = 0; index < count && values.length < sampleCount; index++) values.push(value);
  }
  return values;
}

function sampleOffsets(stbl: Buffer, sizes: readonly number[]): number[] {
  const stco = findBox(stbl, 'stco');
  const co64 = findBox(stbl, 'co64');
  const chunkOffsets: number[] = [];
  if (stco && stco.length >= 8) {
    for (let index = 0; index < stco.readUInt32BE(4) && 8 + index * 4 + 4 <= stco.length; index++) {
      chunkOffsets.push(stco.readUInt32BE(8 + index * 4));
    }
  } else if (co64 && co64.length >= 8) {
    for (let index = 0; index < co64.readUInt32BE(4) && 8 + index * 8 + 8 <= co64.length; index++) {
      chunkOffsets.push(readU64(co64, 8 + index * 8));
    }
  }
  const stsc = findBox(stbl, 'stsc');
  const chunkRuns: { firstChunk: number; samplesPerChunk: number }[] = [];
  if (stsc && stsc.length >= 8) {
    for (
      let index = 0;
      index < stsc.readUInt32BE(4) && 8 + index * 12 + 12 <= stsc.length;
      index++
    ) {
      chunkRuns.push({
        firstChunk: stsc.readUInt32BE(8 + index * 12),
        samplesPerChunk: stsc.readUInt32BE(12 + index * 12),
      });
    }
  }
  const offsets: number[] = [];
  let sample = 0;
  for (let chunk = 1; chunk <= chunkOffsets.length && sample < sizes.length; chunk++) {
    const run = chunkRuns.filter((candidate) => candidate.firstChunk <= chunk).pop();
    if (!run) break;
    let offset = chunkOffsets[chunk - 1] as number;
    for (let index = 0; index < run.samplesPerChunk && sample < sizes.length; index++) {
      offsets.push(offset);
      offset += sizes[sample++] as number;
    }
  }
  return offsets;
}

function syncSampleSet(stbl: Buffer): Set<number> | undefined {
  const stss = findBox(stbl, 'stss');
  if (!stss || stss.length < 8) return undefined;
  const numbers = new Set<number>();
  for (let index = 0; index < stss.readUInt32BE(4) && 8 + index * 4 + 4 <= stss.length; index++) {
    numbers.add(stss.readUInt32BE(8 + index * 4));
  }
  return numbers;
}

/** mvex/trex: the sample defaults of each track's fragments. */
function applyTrackDefaults(moov: Buffer, tracks: readonly Mp4Track[]): void {
  const mvex = findBox(moov, 'mvex');
  if (!mvex) return;
  for (const trex of childBoxes(mvex).filter((box) => box.type === 'trex')) {
    if (trex.body.length < 24) continue;
    const track = tracks.find((candidate) => candidate.id === trex.body.readUInt32BE(4));
    if (!track) continue;
    track.defaultDuration = trex.body.readUInt32BE(12);
    track.defaultSize = trex.body.readUInt32BE(16);
    track.defaultFlags = trex.body.readUInt32BE(20);
  }
}

/** Adds the samples of one movie fragment (tfhd, tfdt, trun). */
function addFragment(
  moof: Buffer,
  moofOffset: number,
  tracks: readonly Mp4Track[],
  fileSize: number,
): void {
  for (const traf of childBoxes(moof).filter((box) => box.type === 'traf')) {
    const tfhd = findBox(traf.body, 'tfhd');
    if (!tfhd || tfhd.length < 8) continue;
    const track = tracks.find((candidate) => candidate.id === tfhd.readUInt32BE(4));
    if (!track) continue;
    const { flags } = fullBox(tfhd);
    let at = 8;
    let base = moofOffset;
    if (flags & 0x1) {
      base = readU64(tfhd, at);
      at += 8;
    }
    if (flags & 0x2) at += 4;
    let defaultDuration = track.defaultDuration;
    let defaultSize = track.defaultSize;
    let defaultFlags = track.defaultFlags;
    if (flags & 0x8) {
      defaultDuration = tfhd.readUInt32BE(at);
      at += 4;
    }
    if (flags & 0x10) {
      defaultSize = tfhd.readUInt32BE(at);
      at += 4;
    }
    if (flags & 0x20) defaultFlags = tfhd.readUInt32BE(at);
    const tfdt = findBox(traf.body, 'tfdt');
    let decodeTime = tfdt
      ? fullBox(tfdt).version === 1
        ? readU64(tfdt, 4)
        : tfdt.readUInt32BE(4)
      : trackEndTicks(track);
    let dataOffset = base;
    for (const trun of childBoxes(traf.body).filter((box) => box.type === 'trun')) {
      const run = trun.body;
      const { flags: runFlags, version } = fullBox(run);
      const count = run.readUInt32BE(4);
      let field = 8;
      if (runFlags & 0x1) {
        dataOffset = base + run.readInt32BE(field);
        field += 4;
      }
      let firstFlags: number | undefined;
      if (runFlags & 0x4) {
        firstFlags = run.readUInt32BE(field);
        field += 4;
      }
      for (
        let index = 0;
        index < count && dataOffset < fileSize && track.samples.length < MAX_SAMPLES_PER_TRACK;
        index++
      ) {
        const duration = runFlags & 0x100 ? run.readUInt32BE(field) : defaultDuration;
        if (runFlags & 0x100) field += 4;
        const size = runFlags & 0x200 ? run.readUInt32BE(field) : defaultSize;
        if (runFlags & 0x200) field += 4;
        let sampleFlags = index === 0 && firstFlags !== undefined ? firstFlags : defaultFlags;
        if (runFlags & 0x400) {
          sampleFlags = run.readUInt32BE(field);
          field += 4;
        }
        let composition = 0;
        if (runFlags & 0x800) {
          composition = version === 1 ? run.readInt32BE(field) : run.readUInt32BE(field);
          field += 4;
        }
        track.samples.push({
          offset: dataOffset,
          size,
          timeMs: ((decodeTime + composition) * 1000) / track.timescale,
          sync: track.kind === 'audio' || (sampleFlags & NON_SYNC_SAMPLE) === 0,
        });
        dataOffset += size;
        decodeTime += duration;
      }
    }
  }
}

/** The public description of a track, without the demuxer's bookkeeping. */
function playable(track: Mp4Track): PlayableTrack {
  const { kind, codec, number, width, height, channels, avcConfiguration } = track;
  return {
    kind,
    codec,
    number,
    ...(width !== undefined ? { width } : {}),
    ...(height !== undefined ? { height } : {}),
    ...(channels !== undefined ? { channels } : {}),
    ...(avcConfiguration ? { avcConfiguration } : {}),
  };
}

function trackEndTicks(track: Mp4Track): number {
  const last = track.samples[track.samples.length - 1];
  return last ? Math.round((last.timeMs * track.timescale) / 1000) + track.defaultDuration : 0;
}

function trackEndMs(track: Mp4Track): number {
  const samples = track.samples;
  const last = samples[samples.length - 1];
  const previous = samples[samples.length - 2];
  if (!last) return 0;
  return last.timeMs + (previous ? last.timeMs - previous.timeMs : 0);
}

function pickTracks(tracks: readonly Mp4Track[]): Mp4Track[] {
  const picked: Mp4Track[] = [];
  for (const kind of ['video', 'audio'] as const) {
    const track = tracks.find((candidate) => candidate.kind === kind);
    if (track) picked.push(track);
  }
  if (picked.length === 0) {
    throw new MediaFileError(
      'NOT_SUPPORTED',
      'no track the player can send (it plays H.264, VP8 or VP9 video and Opus audio)',
    );
  }
  return picked;
}

import { EbmlId, readFloat, readId, readSize, readUint, TrackType } from '../../formats/ebml.js';
import { opusPacketSamples, parseOpusHead } from '../../formats/opus.js';
import type { RecordedCodec } from '../../recording/MediaProfile.js';
import { type ByteSource, ChunkedReader } from '../ByteSource.js';
import type { DemuxedFrame, Demuxer, PlayableTrack } from '../DemuxedMedia.js';
import { MediaFileError } from '../errors.js';

const CODECS: Readonly<Record<string, RecordedCodec>> = {
  V_VP8: 'VP8',
  V_VP9: 'VP9',
  'V_MPEG4/ISO/AVC': 'H264',
  A_OPUS: 'OPUS',
};

/** Children a Cluster may hold; any other id ends a cluster of unknown size. */
export const CLUSTER_CHILDREN = new Set<number>([
  EbmlId.Timecode,
  EbmlId.SimpleBlock,
  EbmlId.BlockGroup,
  0xa7, // Position
  0xab, // PrevSize
  0x5854, // SilentTracks
  0xaf, // EncryptedBlock
]);
/** A BlockGroup's ReferenceBlock: the block depends on another (not a key frame). */
export const REFERENCE_BLOCK = 0xfb;
/** The lacing bits of a block's flags. */
export const LACING_MASK = 0x06;
const MAX_HEADER_BYTES = 12;
/** Elements read whole (Info, Tracks) larger than this mean a broken or hostile file. */
export const MAX_METADATA_BYTES = 16 * 1024 * 1024;
/** A cluster is read whole; larger ones mean a broken or hostile file. */
export const MAX_CLUSTER_BYTES = 64 * 1024 * 1024;
/** How many clusters a seek looks back through for a video key frame. */
const SEEK_LOOKBACK_CLUSTERS = 120;

interface ElementHeader {
  readonly id: number;
  /** Offset of the element's body. */
  readonly dataOffset: number;
  /** Body size, undefined when unknown (live-written Segment or Cluster). */
  readonly size: number | undefined;
}

interface ClusterEntry {
  readonly dataOffset: number;
  readonly end: number;
  readonly timeMs: number;
}

/** A track as the file describes it, with what frame timing needs. */
export interface TrackEntry extends PlayableTrack {
  /** The track's DefaultDuration, for frames whose length the codec does not say. */
  readonly defaultDurationMs: number | undefined;
}

/**
 * Reads WebM and Matroska files: the tracks, then frames cluster by cluster. Opening walks the
 * segment once to index the clusters (their offset and time), which is what seeking needs; it
 * works on files without Cues, with clusters of unknown size (browser MediaRecorder output) and
 * on files cut short by a crash (the last, partial cluster is read as far as it goes).
 */
export class WebmDemuxer implements Demuxer {
  readonly tracks: readonly PlayableTrack[];
  readonly #source: ByteSource;
  readonly #timecodeScaleMs: number;
  readonly #clusters: readonly ClusterEntry[];
  readonly #trackByNumber: ReadonlyMap<number, TrackEntry>;
  #durationMs = 0;

  private constructor(
    source: ByteSource,
    tracks: readonly TrackEntry[],
    timecodeScaleMs: number,
    clusters: readonly ClusterEntry[],
  ) {
    this.#source = source;
    this.tracks = tracks;
    this.#trackByNumber = new Map(tracks.map((track) => [track.number, track]));
    this.#timecodeScaleMs = timecodeScaleMs;
    this.#clusters = clusters;
  }

  get durationMs(): number {
    return this.#durationMs;
  }

  /** @throws MediaFileError when the data is not a playable WebM/Matroska file */
  static async open(source: ByteSource): Promise<WebmDemuxer> {
    const reader = new ChunkedReader(source);
    const ebml = await readHeader(reader, 0);
    if (ebml?.id !== EbmlId.EBML || ebml.size === undefined) {
      throw new MediaFileError('NOT_SUPPORTED', 'not a WebM or Matroska file (no EBML header)');
    }
    const segment = await readHeader(reader, ebml.dataOffset + ebml.size);
    if (segment?.id !== EbmlId.Segment) {
      throw new MediaFileError('NOT_SUPPORTED', 'no Matroska segment after the EBML header');
    }
    const segmentEnd =
      segment.size === undefined
        ? source.size
        : Math.min(source.size, segment.dataOffset + segment.size);
    let timecodeScaleNs = 1_000_000;
    let durationTicks: number | undefined;
    let tracks: TrackEntry[] = [];
    const clusters: { dataOffset: number; end: number; timecode: number }[] = [];
    let offset = segment.dataOffset;
    while (offset < segmentEnd) {
      const header = await readHeader(reader, offset);
      if (!header) break;
      if (header.id === EbmlId.Cluster) {
        const end = await clusterEnd(reader, header, segmentEnd);
        const timecode = await clusterTimecode(reader, header.dataOffset, end);
        if (timecode !== undefined) clusters.push({ dataOffset: header.dataOffset, end, timecode });
        offset = end;
        continue;
      }
      if (header.size === undefined) break;
      if (header.id === EbmlId.Info || header.id === EbmlId.Tracks) {
        const body = await readBody(reader, header);
        if (header.id === EbmlId.Info) {
          const info = parseInfo(body);
          timecodeScaleNs = info.timecodeScaleNs;
          durationTicks = info.durationTicks;
        } else {
          tracks = parseTracks(body);
        }
      }
      offset = header.dataOffset + header.size;
    }
    const playable = pickTracks(tracks);
    const timecodeScaleMs = timecodeScaleNs / 1e6;
    const clusterEntries = clusters.map((cluster) => ({
      dataOffset: cluster.dataOffset,
      end: cluster.end,
      timeMs: cluster.timecode * timecodeScaleMs,
    }));
    const demuxer = new WebmDemuxer(source, playable, timecodeScaleMs, clusterEntries);
    demuxer.#durationMs =
      durationTicks !== undefined && durationTicks > 0
        ? durationTicks * timecodeScaleMs
        : await demuxer.#measureDuration();
    return demuxer;
  }

  async *frames(positionMs: number): AsyncIterableIterator<DemuxedFrame> {
    const { clusterIndex, startMs } = await this.#seekPoint(positionMs);
    let videoStarted = !this.tracks.some((track) => track.kind === 'video');
    for (let index = clusterIndex; index < this.#clusters.length; index++) {
      for (const frame of await this.#readCluster(index)) {
        if (frame.timeMs < startMs) continue;
        if (frame.kind === 'video' && !videoStarted) {
          if (!frame.keyframe) continue;
          videoStarted = true;
        }
        yield frame;
      }
    }
  }

  close(): Promise<void> {
    return this.#source.close();
  }

  /**
   * Where reading starts for a position: the cluster holding the last video key frame at or
   * before it, and that key frame's time (the position itself for audio-only files).
   */
  async #seekPoint(positionMs: number): Promise<{ clusterIndex: number; startMs: number }> {
    const clusters = this.#clusters;
    if (clusters.length === 0 || positionMs <= 0) return { clusterIndex: 0, startMs: 0 };
    let index = 0;
    while (
      index + 1 < clusters.length &&
      (clusters[index + 1] as ClusterEntry).timeMs <= positionMs
    )
      index++;
    if (!this.tracks.some((track) => track.kind === 'video')) {
      return { clusterIndex: index, startMs: positionMs };
    }
    const lowest = Math.max(0, index - SEEK_LOOKBACK_CLUSTERS);
    for (let candidate = index; candidate >= lowest; candidate--) {
      const frames = await this.#readCluster(candidate);
      const keyframes = frames.filter(
        (frame) => frame.kind === 'video' && frame.keyframe && frame.timeMs <= positionMs,
      );
      const last = keyframes[keyframes.length - 1];
      if (last) return { clusterIndex: candidate, startMs: last.timeMs };
    }
    return { clusterIndex: 0, startMs: 0 };
  }

  async #readCluster(index: number): Promise<DemuxedFrame[]> {
    const cluster = this.#clusters[index];
    if (!cluster) return [];
    if (cluster.end - cluster.dataOffset > MAX_CLUSTER_BYTES) {
      throw new MediaFileError(
        'NOT_SUPPORTED',
        `a cluster of ${cluster.end - cluster.dataOffset} bytes is too large`,
      );
    }
    const body = await this.#source.read(cluster.dataOffset, cluster.end - cluster.dataOffset);
    const frames: DemuxedFrame[] = [];
    let clusterTimecode = cluster.timeMs / this.#timecodeScaleMs;
    forEachChild(body, (id, child) => {
      if (id === EbmlId.Timecode) clusterTimecode = readUint(child);
      else if (id === EbmlId.SimpleBlock)
        this.#readBlock(child, clusterTimecode, undefined, frames);
      else if (id === EbmlId.BlockGroup) {
        let block: Buffer | undefined;
        let referenced = false;
        forEachChild(child, (groupId, groupChild) => {
          if (groupId === EbmlId.Block) block = groupChild;
          else if (groupId === REFERENCE_BLOCK) referenced = true;
        });
        if (block) this.#readBlock(block, clusterTimecode, !referenced, frames);
      }
    });
    frames.sort((a, b) => a.timeMs - b.timeMs);
    return frames;
  }

  #readBlock(
    block: Buffer,
    clusterTimecode: number,
    keyframeOfGroup: boolean | undefined,
    into: DemuxedFrame[],
  ): void {
    const trackVint = readSize(block, 0);
    if (!trackVint || trackVint.value === undefined || block.length < trackVint.length + 3) return;
    const track = this.#trackByNumber.get(trackVint.value);
    if (!track) return;
    const relative = block.readInt16BE(trackVint.length);
    const flags = block[trackVint.length + 2] as number;
    const timeMs = (clusterTimecode + relative) * this.#timecodeScaleMs;
    const keyframe = track.kind === 'audio' || (keyframeOfGroup ?? (flags & 0x80) !== 0);
    const payloads = unlace(block.subarray(trackVint.length + 3), flags & LACING_MASK);
    let frameTimeMs = timeMs;
    for (const data of payloads) {
      into.push({ kind: track.kind, timeMs: frameTimeMs, data, keyframe });
      frameTimeMs += frameDurationMs(track, data);
    }
  }

  /** The end of the last frame, for files without a Duration (cut short, or live-written). */
  async #measureDuration(): Promise<number> {
    for (let index = this.#clusters.length - 1; index >= 0; index--) {
      const frames = await this.#readCluster(index);
      const last = frames[frames.length - 1];
      if (last) return last.timeMs + frameDurationMs(this.#trackOf(last), last.data);
    }
    return 0;
  }

  #trackOf(frame: DemuxedFrame): TrackEntry | undefined {
    return this.tracks.find((track) => track.kind === frame.kind) as TrackEntry | undefined;
  }
}

/** How long a frame lasts: Opus says it; other codecs take the track's DefaultDuration. */
export function frameDurationMs(track: TrackEntry | undefined, data: Buffer): number {
  if (track?.codec === 'OPUS') return opusPacketSamples(data) / 48;
  return track?.defaultDurationMs ?? 0;
}

async function readHeader(
  reader: ChunkedReader,
  offset: number,
): Promise<ElementHeader | undefined> {
  const bytes = await reader.read(offset, MAX_HEADER_BYTES);
  const id = readId(bytes, 0);
  if (!id) return undefined;
  const size = readSize(bytes, id.length);
  if (!size) return undefined;
  return { id: id.id, dataOffset: offset + id.length + size.length, size: size.value };
}

async function readBody(reader: ChunkedReader, header: ElementHeader): Promise<Buffer> {
  const size = header.size ?? 0;
  if (size > MAX_METADATA_BYTES) {
    throw new MediaFileError('NOT_SUPPORTED', `a metadata element of ${size} bytes is too large`);
  }
  return reader.source.read(header.dataOffset, size);
}

/** Where a cluster ends: from its size, or by walking its children when the size is unknown. */
async function clusterEnd(
  reader: ChunkedReader,
  cluster: ElementHeader,
  segmentEnd: number,
): Promise<number> {
  if (cluster.size !== undefined) return cluster.dataOffset + cluster.size;
  let offset = cluster.dataOffset;
  while (offset < segmentEnd) {
    const child = await readHeader(reader, offset);
    if (!child || !CLUSTER_CHILDREN.has(child.id) || child.size === undefined) return offset;
    offset = child.dataOffset + child.size;
  }
  return Math.min(offset, segmentEnd);
}

async function clusterTimecode(
  reader: ChunkedReader,
  dataOffset: number,
  end: number,
): Promise<number | undefined> {
  let offset = dataOffset;
  while (offset < end) {
    const child = await readHeader(reader, offset);
    if (!child || child.size === undefined) return undefined;
    if (child.id === EbmlId.Timecode)
      return readUint(await reader.read(child.dataOffset, child.size));
    offset = child.dataOffset + child.size;
  }
  return undefined;
}

/** Calls `visit` for each complete child element of a master element's body. */
function forEachChild(body: Buffer, visit: (id: number, child: Buffer) => void): void {
  let offset = 0;
  while (offset < body.length) {
    const id = readId(body, offset);
    if (!id) return;
    const size = readSize(body, offset + id.length);
    if (!size || size.value === undefined) return;
    const start = offset + id.length + size.length;
    const end = start + size.value;
    if (end > body.length) return; // cut short: the rest of the data is incomplete
    visit(id.id, body.subarray(start, end));
    offset = end;
  }
}

/** The TimecodeScale and Duration of an Info element's body. */
export function parseInfo(body: Buffer): {
  timecodeScaleNs: number;
  durationTicks: number | undefined;
} {
  let timecodeScaleNs = 1_000_000;
  let durationTicks: number | undefined;
  forEachChild(body, (id, child) => {
    if (id === EbmlId.TimecodeScale) timecodeScaleNs = readUint(child) || 1_000_000;
    else if (id === EbmlId.Duration) durationTicks = readFloat(child);
  });
  return { timecodeScaleNs, durationTicks };
}

/** The tracks of a Tracks element's body that the player can send. */
export function parseTracks(body: Buffer): TrackEntry[] {
  const tracks: TrackEntry[] = [];
  forEachChild(body, (id, entry) => {
    if (id !== EbmlId.TrackEntry) return;
    let number = 0;
    let type = 0;
    let codecId = '';
    let codecPrivate: Buffer | undefined;
    let width: number | undefined;
    let height: number | undefined;
    let channels: number | undefined;
    let defaultDurationNs: number | undefined;
    let encoded = false;
    forEachChild(entry, (field, value) => {
      if (field === EbmlId.TrackNumber) number = readUint(value);
      else if (field === EbmlId.TrackType) type = readUint(value);
      else if (field === EbmlId.CodecID) codecId = value.toString('latin1').replace(/\0+$/, '');
      else if (field === EbmlId.CodecPrivate) codecPrivate = value;
      else if (field === EbmlId.DefaultDuration) defaultDurationNs = readUint(value);
      else if (field === EbmlId.ContentEncodings) encoded = true;
      else if (field === EbmlId.Video) {
        forEachChild(value, (videoField, videoValue) => {
          if (videoField === EbmlId.PixelWidth) width = readUint(videoValue);
          else if (videoField === EbmlId.PixelHeight) height = readUint(videoValue);
        });
      } else if (field === EbmlId.Audio) {
        forEachChild(value, (audioField, audioValue) => {
          if (audioField === EbmlId.Channels) channels = readUint(audioValue);
        });
      }
    });
    const codec = CODECS[codecId];
    const kind =
      type === TrackType.video ? 'video' : type === TrackType.audio ? 'audio' : undefined;
    // Compressed or encrypted tracks (ContentEncodings) cannot be sent as they are.
    if (!codec || !kind || encoded || (kind === 'video') !== (codec !== 'OPUS')) return;
    if (codec === 'H264' && !codecPrivate) return;
    tracks.push({
      kind,
      codec,
      number,
      ...(width !== undefined ? { width } : {}),
      ...(height !== undefined ? { height } : {}),
      ...(channels !== undefined
        ? { channels }
        : codec === 'OPUS' && codecPrivate
          ? { channels: parseOpusHead(codecPrivate)?.channels ?? 2 }
          : {}),
      ...(codec === 'H264' && codecPrivate ? { avcConfiguration: codecPrivate } : {}),
      defaultDurationMs: defaultDurationNs !== undefined ? defaultDurationNs / 1e6 : undefined,
    });
  });
  return tracks;
}

/** The first playable video and audio track. */
export function pickTracks(tracks: readonly TrackEntry[]): TrackEntry[] {
  const picked: TrackEntry[] = [];
  for (const kind of ['video', 'audio'] as const) {
    const track = tracks.find((candidate) => candidate.kind === kind);
    if (track) picked.push(track);
  }
  if (picked.length === 0) {
    throw new MediaFileError(
      'NOT_SUPPORTED',
      'no track the player can send (it plays VP8, VP9 or H.264 video and Opus audio, unencrypted)',
    );
  }
  return picked;
}

/** The frames of a block's data, by its lacing (Matroska 10.3: none, Xiph, fixed or EBML). */
export function unlace(data: Buffer, lacing: number): Buffer[] {
  if (lacing === 0) return [data];
  const count = (data[0] ?? 0) + 1;
  let offset = 1;
  const sizes: number[] = [];
  if (lacing === 0x04) {
    const size = Math.floor((data.length - 1) / count);
    return Array.from({ length: count }, (_, index) =>
      data.subarray(1 + index * size, 1 + (index + 1) * size),
    );
  }
  if (lacing === 0x02) {
    for (let index = 0; index < count - 1; index++) {
      let size = 0;
      let byte: number;
      do {
        byte = data[offset++] ?? 0;
        size += byte;
      } while (byte === 255 && offset < data.length);
      sizes.push(size);
    }
  } else {
    const first = readSize(data, offset);
    if (!first || first.value === undefined) return [];
    offset += first.length;
    sizes.push(first.value);
    for (let index = 1; index < count - 1; index++) {
      const vint = readSize(data, offset);
      if (!vint || vint.value === undefined) return [];
      offset += vint.length;
      const bias = 2 ** (7 * vint.length - 1) - 1;
      sizes.push((sizes[index - 1] as number) + vint.value - bias);
    }
  }
  const frames: Buffer[] = [];
  for (const size of sizes) {
    if (size < 0 || offset + size > data.length) return frames;
    frames.push(data.subarray(offset, offset + size));
    offset += size;
  }
  frames.push(data.subarray(offset));
  return frames;
}

import { type FileHandle, open } from 'node:fs/promises';
import {
  EbmlId,
  encodeSize,
  floatElement,
  readId,
  readSize,
  readUint,
  TrackType,
  UNKNOWN_SIZE,
} from '../../formats/ebml.js';
import {
  type CuePoint,
  cuesElement,
  DURATION_ELEMENT_BYTES,
  seekHeadElement,
} from './WebmMuxer.js';

/** What `repairWebmRecording` did. */
export type WebmRepairResult =
  | { readonly kind: 'complete' }
  | {
      readonly kind: 'repaired';
      readonly durationMs: number;
      readonly clusters: number;
      readonly cues: number;
      /** Bytes of a cluster cut short by the crash, removed from the end. */
      readonly truncatedBytes: number;
    };

/** The file is not one the repair can finish; nothing was changed. */
export class WebmRepairError extends Error {
  override readonly name = 'WebmRepairError';
  readonly code = 'NOT_REPAIRABLE';
}

interface Element {
  readonly id: number;
  readonly start: number;
  readonly dataStart: number;
  /** undefined: unknown size (the Segment of an unfinished recording). */
  readonly dataEnd: number | undefined;
}

/** A cluster holds at most a second of media; anything claiming more is not ours. */
const MAX_CLUSTER_BYTES = 64 * 1024 * 1024;
/** The most a recording's header (EBML header, SeekHead space, Info, Tracks) is read for. */
const HEADER_READ_BYTES = 64 * 1024;

/**
 * Finishes a WebM/MKV recording of this server that was cut short (the process was killed
 * before `stop`): drops a cluster the crash cut in half, then writes what `stop` would have —
 * the Duration, Cues for every cluster that starts at a key frame, a SeekHead pointing at them,
 * and the Segment's size — so the file can be seeked and its duration is known. A file that
 * was finished is left alone; a file not written by this server is refused, unchanged.
 */
export async function repairWebmRecording(path: string): Promise<WebmRepairResult> {
  const file = await open(path, 'r+');
  try {
    const { size } = await file.stat();
    const header = Buffer.alloc(Math.min(size, HEADER_READ_BYTES));
    await file.read(header, 0, header.length, 0);
    const ebml = readElement(header, 0);
    if (ebml?.id !== EbmlId.EBML || ebml.dataEnd === undefined)
      throw notOurs(path, 'no EBML header');
    const segment = readElement(header, ebml.dataEnd);
    if (segment?.id !== EbmlId.Segment) throw notOurs(path, 'no Segment');
    if (segment.dataEnd !== undefined) return { kind: 'complete' };

    const layout = readHeader(header, segment.dataStart, path);
    const scan = await scanClusters(file, size, layout, segment.dataStart);
    if (scan.clusters === 0) throw notOurs(path, 'no complete cluster: nothing was recorded');

    const cues = cuesElement(scan.cues);
    await file.truncate(scan.end);
    await file.write(cues, 0, cues.length, scan.end);
    const seekHead = seekHeadElement([
      [EbmlId.Info, layout.infoPosition],
      [EbmlId.Tracks, layout.tracksPosition],
      [EbmlId.Cues, scan.end - segment.dataStart],
    ]);
    await file.write(seekHead, 0, seekHead.length, segment.dataStart);
    const duration = floatElement(EbmlId.Duration, scan.durationMs);
    await file.write(duration, 0, duration.length, layout.durationOffset);
    const segmentSize = encodeSize(scan.end + cues.length - segment.dataStart, UNKNOWN_SIZE.length);
    await file.write(segmentSize, 0, segmentSize.length, segment.dataStart - UNKNOWN_SIZE.length);
    await file.datasync();
    return {
      kind: 'repaired',
      durationMs: scan.durationMs,
      clusters: scan.clusters,
      cues: scan.cues.length,
      truncatedBytes: size - scan.end,
    };
  } finally {
    await file.close();
  }
}

interface HeaderLayout {
  readonly infoPosition: number;
  readonly tracksPosition: number;
  /** Absolute offset of the Void reserved for the Duration. */
  readonly durationOffset: number;
  readonly videoTrack: number | undefined;
  readonly clustersStart: number;
}

/** Finds the Info (written by us, with its Duration space) and Tracks before the first Cluster. */
function readHeader(header: Buffer, segmentData: number, path: string): HeaderLayout {
  let infoPosition: number | undefined;
  let tracksPosition: number | undefined;
  let durationOffset: number | undefined;
  let videoTrack: number | undefined;
  let medley = false;
  for (let offset = segmentData; ; ) {
    const child = readElement(header, offset);
    if (!child || child.dataEnd === undefined) throw notOurs(path, 'its header is cut short');
    if (child.id === EbmlId.Cluster) {
      if (
        infoPosition === undefined ||
        tracksPosition === undefined ||
        durationOffset === undefined
      )
        throw notOurs(path, 'no Info with room for a Duration, or no Tracks');
      if (!medley) throw notOurs(path, 'it was not written by medley-media-server');
      return { infoPosition, tracksPosition, durationOffset, videoTrack, clustersStart: offset };
    }
    if (child.id === EbmlId.Info) {
      infoPosition = offset - segmentData;
      for (const entry of children(header, child)) {
        if (entry.id === EbmlId.MuxingApp)
          medley = header.toString('utf8', entry.dataStart, entry.dataEnd) === 'medley';
        if (
          entry.id === EbmlId.Void &&
          (entry.dataEnd ?? 0) - entry.start === DURATION_ELEMENT_BYTES
        )
          durationOffset = entry.start;
      }
    }
    if (child.id === EbmlId.Tracks) {
      tracksPosition = offset - segmentData;
      for (const track of children(header, child)) {
        let number: number | undefined;
        let type: number | undefined;
        for (const field of children(header, track)) {
          const value = readUint(header.subarray(field.dataStart, field.dataEnd));
          if (field.id === EbmlId.TrackNumber) number = value;
          if (field.id === EbmlId.TrackType) type = value;
        }
        if (type === TrackType.video) videoTrack = number;
      }
    }
    offset = child.dataEnd;
  }
}

interface ClusterScan {
  readonly clusters: number;
  readonly cues: CuePoint[];
  readonly durationMs: number;
  /** Absolute offset just after the last complete cluster. */
  readonly end: number;
}

/** Reads the clusters one at a time (each at most a second of media), up to the first cut one. */
async function scanClusters(
  file: FileHandle,
  size: number,
  layout: HeaderLayout,
  segmentData: number,
): Promise<ClusterScan> {
  const cues: CuePoint[] = [];
  const lastTimes = new Map<number, { timeMs: number; gapMs: number }>();
  let clusters = 0;
  let position = layout.clustersStart;
  const head = Buffer.alloc(12);
  while (position < size) {
    const { bytesRead } = await file.read(head, 0, head.length, position);
    const found = readElement(head.subarray(0, bytesRead), 0);
    if (found?.id !== EbmlId.Cluster || found.dataEnd === undefined) break;
    if (position + found.dataEnd > size || found.dataEnd > MAX_CLUSTER_BYTES) break;
    const bytes = Buffer.alloc(found.dataEnd);
    await file.read(bytes, 0, bytes.length, position);
    const cluster = readElement(bytes, 0) as Element;
    let clusterTimeMs = 0;
    let first = true;
    for (const child of children(bytes, cluster)) {
      if (child.id === EbmlId.Timecode) {
        clusterTimeMs = readUint(bytes.subarray(child.dataStart, child.dataEnd));
        continue;
      }
      if (child.id !== EbmlId.SimpleBlock) continue;
      const trackVint = readSize(bytes, child.dataStart);
      if (!trackVint?.value || child.dataStart + trackVint.length + 3 > child.dataEnd) continue;
      const track = trackVint.value;
      const at = child.dataStart + trackVint.length;
      const timeMs = clusterTimeMs + bytes.readInt16BE(at);
      const keyframe = ((bytes[at + 2] ?? 0) & 0x80) !== 0;
      const seekPoint =
        layout.videoTrack === undefined || (track === layout.videoTrack && keyframe);
      if (first && seekPoint) {
        cues.push({ timeMs: clusterTimeMs, track, clusterPosition: position - segmentData });
      }
      first = false;
      const last = lastTimes.get(track);
      lastTimes.set(track, {
        timeMs,
        gapMs: last && timeMs > last.timeMs ? timeMs - last.timeMs : (last?.gapMs ?? 0),
      });
    }
    clusters++;
    position += found.dataEnd;
  }
  let durationMs = 0;
  for (const { timeMs, gapMs } of lastTimes.values())
    durationMs = Math.max(durationMs, timeMs + gapMs);
  return { clusters, cues, durationMs, end: position };
}

function readElement(buffer: Buffer, offset: number): Element | undefined {
  const id = readId(buffer, offset);
  if (!id) return undefined;
  const size = readSize(buffer, offset + id.length);
  if (!size) return undefined;
  const dataStart = offset + id.length + size.length;
  return {
    id: id.id,
    start: offset,
    dataStart,
    dataEnd: size.value === undefined ? undefined : dataStart + size.value,
  };
}

function* children(buffer: Buffer, parent: Element): Generator<Element & { dataEnd: number }> {
  const end = Math.min(parent.dataEnd ?? buffer.length, buffer.length);
  for (let offset = parent.dataStart; offset < end; ) {
    const child = readElement(buffer, offset);
    if (!child || child.dataEnd === undefined || child.dataEnd > end) return;
    yield child as Element & { dataEnd: number };
    offset = child.dataEnd;
  }
}

function notOurs(path: string, why: string): WebmRepairError {
  return new WebmRepairError(`${path} cannot be repaired (${why}); it was left unchanged.`);
}

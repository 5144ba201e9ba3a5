import { randomInt } from 'node:crypto';
import {
  EbmlId,
  element,
  encodeId,
  encodeSize,
  floatElement,
  stringElement,
  TrackType,
  UNKNOWN_SIZE,
  uintElement,
  voidElement,
} from '../../formats/ebml.js';
import { opusHead } from '../../formats/opus.js';
import type { TimedFrame, TrackDescription } from '../EncodedFrame.js';
import type { TrackKind } from '../MediaProfile.js';
import type { FilePatch, Muxer } from '../Muxer.js';

/** Timestamps count milliseconds (TimecodeScale in ns), as WebM writers commonly do. */
const TIMECODE_SCALE_NS = 1_000_000;
/** A cluster is written out at the latest after this long (and at every video key frame). */
const CLUSTER_MAX_MS = 1000;
/** Reserved at the start of the segment for the SeekHead written when the recording stops. */
export const SEEK_HEAD_SPACE = 96;
/** Bytes of a Duration element with an 8-byte float: reserved as a Void until the end. */
export const DURATION_ELEMENT_BYTES = 11;
/** Opus decoders need 80 ms of audio before a seek point to converge (RFC 7845 and WebM). */
const OPUS_SEEK_PRE_ROLL_NS = 80_000_000;
const SIMPLE_BLOCK_KEYFRAME = 0x80;
const MAX_RELATIVE_TIMECODE = 0x7fff;

const CODEC_IDS: Readonly<Record<string, string>> = {
  VP8: 'V_VP8',
  VP9: 'V_VP9',
  H264: 'V_MPEG4/ISO/AVC',
  OPUS: 'A_OPUS',
};

interface MuxedTrack {
  readonly number: number;
  readonly description: TrackDescription;
  lastTimeMs: number;
  lastDurationMs: number;
}

interface OpenCluster {
  readonly timeMs: number;
  readonly blocks: Buffer[];
  /** The track a cue should point to when this cluster starts at a seek point. */
  readonly cueTrack: number | undefined;
}

export interface CuePoint {
  readonly timeMs: number;
  readonly track: number;
  /** Cluster offset from the start of the segment's data. */
  readonly clusterPosition: number;
}

/**
 * WebM / Matroska writer. Clusters have a known size and are written whole (at most a second
 * each, and one per video key frame), so a file cut short by a crash decodes up to its last
 * cluster. The segment starts with reserved space that `finish` fills: the Duration, a SeekHead
 * pointing at the Cues appended at the end, and the segment's real size.
 */
export class WebmMuxer implements Muxer {
  readonly #docType: 'webm' | 'matroska';
  readonly #tracks = new Map<TrackKind, MuxedTrack>();
  #hasVideo = false;
  #bytesOut = 0;
  #segmentSizeOffset = 0;
  #segmentDataOffset = 0;
  #seekHeadOffset = 0;
  #durationOffset = 0;
  #infoPosition = 0;
  #tracksPosition = 0;
  #cluster: OpenCluster | undefined;
  readonly #cues: CuePoint[] = [];

  constructor(docType: 'webm' | 'matroska') {
    this.#docType = docType;
  }

  get durationMs(): number {
    let end = 0;
    for (const track of this.#tracks.values()) {
      end = Math.max(end, track.lastTimeMs + track.lastDurationMs);
    }
    return end;
  }

  start(tracks: readonly TrackDescription[]): Buffer {
    tracks.forEach((description, index) => {
      this.#tracks.set(description.kind, {
        number: index + 1,
        description,
        lastTimeMs: 0,
        lastDurationMs: 0,
      });
    });
    this.#hasVideo = this.#tracks.has('video');
    const ebmlHeader = element(
      EbmlId.EBML,
      uintElement(EbmlId.EBMLVersion, 1),
      uintElement(EbmlId.EBMLReadVersion, 1),
      uintElement(EbmlId.EBMLMaxIDLength, 4),
      uintElement(EbmlId.EBMLMaxSizeLength, 8),
      stringElement(EbmlId.DocType, this.#docType),
      uintElement(EbmlId.DocTypeVersion, 4),
      uintElement(EbmlId.DocTypeReadVersion, 2),
    );
    const segmentId = encodeId(EbmlId.Segment);
    this.#segmentSizeOffset = ebmlHeader.length + segmentId.length;
    this.#segmentDataOffset = this.#segmentSizeOffset + UNKNOWN_SIZE.length;
    this.#seekHeadOffset = this.#segmentDataOffset;

    const infoHead = Buffer.concat([
      uintElement(EbmlId.TimecodeScale, TIMECODE_SCALE_NS),
      stringElement(EbmlId.MuxingApp, 'medley'),
      stringElement(EbmlId.WritingApp, 'medley-media-server'),
    ]);
    const infoBody = Buffer.concat([infoHead, voidElement(DURATION_ELEMENT_BYTES)]);
    const info = element(EbmlId.Info, infoBody);
    this.#infoPosition = SEEK_HEAD_SPACE;
    this.#durationOffset =
      this.#segmentDataOffset +
      this.#infoPosition +
      (info.length - infoBody.length) +
      infoHead.length;
    this.#tracksPosition = this.#infoPosition + info.length;
    const tracksElement = element(
      EbmlId.Tracks,
      ...[...this.#tracks.values()].map((track) => trackEntry(track.number, track.description)),
    );
    const header = Buffer.concat([
      ebmlHeader,
      segmentId,
      UNKNOWN_SIZE,
      voidElement(SEEK_HEAD_SPACE),
      info,
      tracksElement,
    ]);
    this.#bytesOut = header.length;
    return header;
  }

  write(frame: TimedFrame): Buffer | undefined {
    const track = this.#tracks.get(frame.kind);
    if (!track) return undefined;
    const timeMs = Math.max(Math.round(frame.timeMs), track.lastTimeMs);
    if (timeMs > track.lastTimeMs) track.lastDurationMs = timeMs - track.lastTimeMs;
    track.lastTimeMs = timeMs;

    let completed: Buffer | undefined;
    if (this.#startsCluster(frame, timeMs)) {
      completed = this.#closeCluster();
      const seekPoint = frame.kind === 'video' ? frame.keyframe : !this.#hasVideo;
      this.#cluster = { timeMs, blocks: [], cueTrack: seekPoint ? track.number : undefined };
    }
    const cluster = this.#cluster as OpenCluster;
    const relative = Math.max(-MAX_RELATIVE_TIMECODE, timeMs - cluster.timeMs);
    cluster.blocks.push(simpleBlock(track.number, relative, frame.keyframe, frame.data));
    return completed;
  }

  finish(): { append: Buffer; patches: FilePatch[] } {
    const lastCluster = this.#closeCluster() ?? Buffer.alloc(0);
    const cuesPosition = this.#bytesOut - this.#segmentDataOffset;
    const cues = this.#cues.length > 0 ? cuesElement(this.#cues) : Buffer.alloc(0);
    this.#bytesOut += cues.length;
    const seekEntries: [number, number][] = [
      [EbmlId.Info, this.#infoPosition],
      [EbmlId.Tracks, this.#tracksPosition],
    ];
    if (cues.length > 0) seekEntries.push([EbmlId.Cues, cuesPosition]);
    const patches: FilePatch[] = [
      { offset: this.#seekHeadOffset, bytes: seekHeadElement(seekEntries) },
      { offset: this.#durationOffset, bytes: floatElement(EbmlId.Duration, this.durationMs) },
      {
        offset: this.#segmentSizeOffset,
        bytes: encodeSize(this.#bytesOut - this.#segmentDataOffset, UNKNOWN_SIZE.length),
      },
    ];
    return { append: Buffer.concat([lastCluster, cues]), patches };
  }

  #startsCluster(frame: TimedFrame, timeMs: number): boolean {
    const cluster = this.#cluster;
    if (!cluster) return true;
    if (frame.kind === 'video' && frame.keyframe) return true;
    const sinceStart = timeMs - cluster.timeMs;
    return sinceStart >= CLUSTER_MAX_MS || sinceStart > MAX_RELATIVE_TIMECODE;
  }

  /** Serializes the open cluster (if any) and records its cue. */
  #closeCluster(): Buffer | undefined {
    const cluster = this.#cluster;
    if (!cluster || cluster.blocks.length === 0) return undefined;
    this.#cluster = undefined;
    const bytes = element(
      EbmlId.Cluster,
      uintElement(EbmlId.Timecode, cluster.timeMs),
      ...cluster.blocks,
    );
    if (cluster.cueTrack !== undefined) {
      this.#cues.push({
        timeMs: cluster.timeMs,
        track: cluster.cueTrack,
        clusterPosition: this.#bytesOut - this.#segmentDataOffset,
      });
    }
    this.#bytesOut += bytes.length;
    return bytes;
  }
}

function trackEntry(number: number, track: TrackDescription): Buffer {
  const fields: Buffer[] = [
    uintElement(EbmlId.TrackNumber, number),
    uintElement(EbmlId.TrackUID, randomInt(1, 2 ** 47)),
    uintElement(EbmlId.TrackType, track.kind === 'video' ? TrackType.video : TrackType.audio),
    uintElement(EbmlId.FlagLacing, 0),
    stringElement(EbmlId.CodecID, CODEC_IDS[track.codec] as string),
  ];
  if (track.kind === 'video') {
    if (track.avcConfiguration) fields.push(element(EbmlId.CodecPrivate, track.avcConfiguration));
    fields.push(
      element(
        EbmlId.Video,
        uintElement(EbmlId.PixelWidth, track.width ?? 0),
        uintElement(EbmlId.PixelHeight, track.height ?? 0),
      ),
    );
  } else {
    const channels = track.channels ?? 2;
    fields.push(
      element(EbmlId.CodecPrivate, opusHead(channels)),
      uintElement(EbmlId.CodecDelay, 0),
      uintElement(EbmlId.SeekPreRoll, OPUS_SEEK_PRE_ROLL_NS),
      element(
        EbmlId.Audio,
        floatElement(EbmlId.SamplingFrequency, track.clockRate),
        uintElement(EbmlId.Channels, channels),
      ),
    );
  }
  return element(EbmlId.TrackEntry, ...fields);
}

function simpleBlock(track: number, relativeMs: number, keyframe: boolean, data: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header[0] = 0x80 | track; // track number as a 1-byte vint (tracks 1 and 2)
  header.writeInt16BE(relativeMs, 1);
  header[3] = keyframe ? SIMPLE_BLOCK_KEYFRAME : 0;
  return element(EbmlId.SimpleBlock, header, data);
}

export function cuesElement(cues: readonly CuePoint[]): Buffer {
  return element(
    EbmlId.Cues,
    ...cues.map((cue) =>
      element(
        EbmlId.CuePoint,
        uintElement(EbmlId.CueTime, cue.timeMs),
        element(
          EbmlId.CueTrackPositions,
          uintElement(EbmlId.CueTrack, cue.track),
          uintElement(EbmlId.CueClusterPosition, cue.clusterPosition),
        ),
      ),
    ),
  );
}

/** The SeekHead of `[element id, position in the segment]` entries, filling SEEK_HEAD_SPACE. */
export function seekHeadElement(entries: readonly (readonly [number, number])[]): Buffer {
  const seekHead = element(
    EbmlId.SeekHead,
    ...entries.map(([id, position]) =>
      element(
        EbmlId.Seek,
        element(EbmlId.SeekID, encodeId(id)),
        uintElement(EbmlId.SeekPosition, position),
      ),
    ),
  );
  return Buffer.concat([seekHead, voidElement(SEEK_HEAD_SPACE - seekHead.length)]);
}

import { EbmlId, readId, readSize, readUint } from '../../formats/ebml.js';
import type { DemuxedFrame, Demuxer, PlayableTrack } from '../DemuxedMedia.js';
import { MediaFileError } from '../errors.js';
import {
  CLUSTER_CHILDREN,
  frameDurationMs,
  LACING_MASK,
  MAX_CLUSTER_BYTES,
  MAX_METADATA_BYTES,
  parseInfo,
  parseTracks,
  pickTracks,
  REFERENCE_BLOCK,
  type TrackEntry,
  unlace,
} from './WebmDemuxer.js';

/** A CRC-32 element, which any master element may start with (not checked). */
const CRC32 = 0xbf;

/** An element header: id, size (undefined when unknown) and the header's own length. */
interface Header {
  readonly id: number;
  readonly size: number | undefined;
  readonly length: number;
}

/** Where the parser is: before the EBML header, in the segment, or in a cluster. */
type Level = 'start' | 'segment' | 'cluster';

/**
 * Reads WebM / Matroska as its bytes arrive (an HTTP upload), instead of from a file it can
 * seek in: `push` each chunk, `end` at the end of the body. `ready` resolves once the tracks
 * are known (the Tracks element has arrived); `frames(0)` then yields each frame as soon as
 * its block is complete, and waits for more until `end`. Video
 * starts at its first key frame. There is no seeking: a stream is played once, from its start.
 *
 * Clusters of unknown size (browser MediaRecorder, ffmpeg's live output) end where the next
 * top-level element starts. Malformed data, an oversized element or a stream without a
 * playable track rejects `ready` (or fails `frames`) with a MediaFileError.
 */
export class WebmStreamDemuxer implements Demuxer {
  /** Resolves once the tracks are known; rejects when the data is not playable WebM/Matroska. */
  readonly ready: Promise<void>;
  #tracks: readonly TrackEntry[] = [];
  #trackByNumber = new Map<number, TrackEntry>();
  #timecodeScaleMs = 1;
  #pending: Buffer = Buffer.alloc(0);
  #level: Level = 'start';
  /** Bytes of the current element still to skip (one not needed, possibly larger than a chunk). */
  #skipping = 0;
  /** Bytes left in the current cluster when its size is known. */
  #clusterLeft: number | undefined;
  #clusterTimecode = 0;
  readonly #queue: DemuxedFrame[] = [];
  #queuedBytes = 0;
  #videoStarted = false;
  #ended = false;
  #failure: MediaFileError | undefined;
  #durationMs = 0;
  #wake: (() => void) | undefined;
  #resolveReady!: () => void;
  #rejectReady!: (error: MediaFileError) => void;
  readonly #onConsumed: () => void;

  /** `onConsumed` is called whenever a frame was taken, so a paused source can be resumed. */
  constructor(onConsumed: () => void = () => undefined) {
    this.#onConsumed = onConsumed;
    this.ready = new Promise<void>((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.ready.catch(() => undefined); // reported to whoever awaits it, never unhandled
  }

  get tracks(): readonly PlayableTrack[] {
    return this.#tracks;
  }

  /** The end of the latest frame read (the stream's length once it ended). */
  get durationMs(): number {
    return this.#durationMs;
  }

  /** Bytes of frames read and not yet taken by `frames`: how far the reader is ahead. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Whether reading failed. */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  /** Takes the next bytes of the stream. */
  push(chunk: Buffer): void {
    if (this.#ended || this.#failure) return;
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    try {
      this.#parse();
    } catch (error) {
      this.#fail(
        error instanceof MediaFileError
          ? error
          : new MediaFileError('NOT_SUPPORTED', `the stream is malformed (${String(error)})`, {
              cause: error,
            }),
      );
    }
  }

  /** The stream ended (or was cut short): what is complete so far is all there will be. */
  end(): void {
    if (this.#ended || this.#failure) return;
    if (this.#level === 'cluster') this.#closeCluster();
    this.#ended = true;
    if (this.#tracks.length === 0) {
      this.#fail(
        new MediaFileError('NOT_SUPPORTED', 'the stream ended before its tracks were described'),
      );
      return;
    }
    this.#wakeReader();
  }

  async *frames(_positionMs: number): AsyncIterableIterator<DemuxedFrame> {
    await this.ready;
    for (;;) {
      const frame = this.#queue.shift();
      if (frame) {
        this.#queuedBytes -= frame.data.length;
        this.#onConsumed();
        yield frame;
        continue;
      }
      if (this.#failure) throw this.#failure;
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  async close(): Promise<void> {
    this.#ended = true;
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    this.#pending = Buffer.alloc(0);
    this.#wakeReader();
  }

  #parse(): void {
    for (;;) {
      if (this.#skipping > 0) {
        const skipped = Math.min(this.#skipping, this.#pending.length);
        this.#skipping -= skipped;
        this.#consume(skipped);
        if (this.#skipping > 0) return;
      }
      if (this.#level === 'cluster' && this.#clusterLeft === 0) {
        this.#closeCluster();
        continue;
      }
      const header = readHeader(this.#pending);
      if (!header) return;
      if (!this.#step(header)) return;
    }
  }

  /** Handles one element whose header is complete; false when its body has not arrived yet. */
  #step(header: Header): boolean {
    if (this.#level === 'start') {
      if (header.id !== EbmlId.EBML || header.size === undefined) {
        throw new MediaFileError('NOT_SUPPORTED', 'not a WebM or Matroska stream (no EBML header)');
      }
      if (header.size > MAX_METADATA_BYTES) throw tooLarge('EBML header', header.size);
      this.#level = 'segment';
      this.#skip(header, header.size);
      return true;
    }
    if (this.#level === 'segment') return this.#segmentChild(header);
    return this.#clusterChild(header);
  }

  #segmentChild(header: Header): boolean {
    if (header.id === EbmlId.Segment) {
      this.#consume(header.length); // enter it, whatever its size
      return true;
    }
    if (header.id === EbmlId.Cluster) {
      if (this.#tracks.length === 0) {
        throw new MediaFileError('NOT_SUPPORTED', 'media arrived before the tracks were described');
      }
      this.#consume(header.length);
      this.#level = 'cluster';
      this.#clusterLeft = header.size;
      this.#clusterTimecode = 0;
      return true;
    }
    if (header.size === undefined) {
      throw new MediaFileError(
        'NOT_SUPPORTED',
        `an element 0x${header.id.toString(16)} of unknown size`,
      );
    }
    if (header.id === EbmlId.Info || header.id === EbmlId.Tracks) {
      if (header.size > MAX_METADATA_BYTES) throw tooLarge('metadata element', header.size);
      const body = this.#body(header);
      if (!body) return false;
      if (header.id === EbmlId.Info) {
        this.#timecodeScaleMs = parseInfo(body).timecodeScaleNs / 1e6;
      } else {
        this.#setTracks(pickTracks(parseTracks(body)));
      }
      this.#consume(header.length + header.size);
      return true;
    }
    this.#skip(header, header.size); // SeekHead, Void, Cues, Tags, Chapters...
    return true;
  }

  #clusterChild(header: Header): boolean {
    const filler = header.id === EbmlId.Void || header.id === CRC32;
    if ((!CLUSTER_CHILDREN.has(header.id) && !filler) || header.size === undefined) {
      if (this.#clusterLeft !== undefined) {
        throw new MediaFileError('NOT_SUPPORTED', 'a cluster holds an element it cannot hold');
      }
      this.#closeCluster(); // an unknown-size cluster ends where a top-level element starts
      return true;
    }
    const total = header.length + header.size;
    if (this.#clusterLeft !== undefined && total > this.#clusterLeft) {
      throw new MediaFileError('NOT_SUPPORTED', 'a cluster child runs past its cluster');
    }
    if (header.size > MAX_CLUSTER_BYTES) throw tooLarge('block', header.size);
    const wanted =
      header.id === EbmlId.Timecode ||
      header.id === EbmlId.SimpleBlock ||
      header.id === EbmlId.BlockGroup;
    if (!wanted) {
      this.#skip(header, header.size);
      if (this.#clusterLeft !== undefined) this.#clusterLeft -= total;
      return true;
    }
    const body = this.#body(header);
    if (!body) return false;
    if (header.id === EbmlId.Timecode) this.#clusterTimecode = readUint(body);
    else if (header.id === EbmlId.SimpleBlock) this.#readBlock(body, undefined);
    else this.#readBlockGroup(body);
    this.#consume(total);
    if (this.#clusterLeft !== undefined) this.#clusterLeft -= total;
    return true;
  }

  #setTracks(tracks: TrackEntry[]): void {
    if (this.#tracks.length > 0) return; // a stream keeps the tracks it started with
    this.#tracks = tracks;
    this.#trackByNumber = new Map(tracks.map((track) => [track.number, track]));
    this.#videoStarted = !tracks.some((track) => track.kind === 'video');
    this.#resolveReady();
  }

  #readBlockGroup(body: Buffer): void {
    let block: Buffer | undefined;
    let referenced = false;
    let offset = 0;
    while (offset < body.length) {
      const child = readHeader(body.subarray(offset));
      if (!child || child.size === undefined) break;
      const start = offset + child.length;
      if (child.id === EbmlId.Block) block = body.subarray(start, start + child.size);
      else if (child.id === REFERENCE_BLOCK) referenced = true;
      offset = start + child.size;
    }
    if (block) this.#readBlock(block, !referenced);
  }

  #readBlock(block: Buffer, keyframeOfGroup: boolean | undefined): void {
    const trackVint = readSize(block, 0);
    if (!trackVint || trackVint.value === undefined || block.length < trackVint.length + 3) return;
    const track = this.#trackByNumber.get(trackVint.value);
    if (!track) return;
    const relative = block.readInt16BE(trackVint.length);
    const flags = block[trackVint.length + 2] as number;
    const keyframe = track.kind === 'audio' || (keyframeOfGroup ?? (flags & 0x80) !== 0);
    let timeMs = (this.#clusterTimecode + relative) * this.#timecodeScaleMs;
    // Copied: the chunk the block sits in is dropped once parsed.
    for (const data of unlace(block.subarray(trackVint.length + 3), flags & LACING_MASK)) {
      this.#emit(track, { kind: track.kind, timeMs, data: Buffer.from(data), keyframe });
      timeMs += frameDurationMs(track, data);
    }
  }

  /**
   * Hands a frame on at once: a muxer writes blocks in time order (nearly: audio and video
   * interleave within a few ms), and a cluster may hold seconds of media, too long to hold back.
   */
  #emit(track: TrackEntry, frame: DemuxedFrame): void {
    if (frame.kind === 'video' && !this.#videoStarted) {
      if (!frame.keyframe) return;
      this.#videoStarted = true;
    }
    this.#durationMs = Math.max(
      this.#durationMs,
      frame.timeMs + frameDurationMs(track, frame.data),
    );
    this.#queue.push(frame);
    this.#queuedBytes += frame.data.length;
    this.#wakeReader();
  }

  #closeCluster(): void {
    this.#level = 'segment';
    this.#clusterLeft = undefined;
  }

  /** The element's body when it has all arrived. */
  #body(header: Header): Buffer | undefined {
    const size = header.size ?? 0;
    if (this.#pending.length < header.length + size) return undefined;
    return this.#pending.subarray(header.length, header.length + size);
  }

  #skip(header: Header, size: number): void {
    this.#consume(header.length);
    this.#skipping = size;
  }

  #consume(bytes: number): void {
    this.#pending = this.#pending.subarray(bytes);
  }

  #fail(error: MediaFileError): void {
    if (this.#failure) return;
    this.#failure = error;
    this.#pending = Buffer.alloc(0);
    this.#rejectReady(error);
    this.#wakeReader();
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** An element header at the start of `bytes`, or undefined until all of it has arrived. */
function readHeader(bytes: Buffer): Header | undefined {
  if (bytes.length === 0) return undefined;
  const id = readId(bytes, 0);
  if (!id) {
    if (bytes.length >= 4) throw new MediaFileError('NOT_SUPPORTED', 'the stream is malformed');
    return undefined;
  }
  if (bytes.length <= id.length) return undefined;
  const size = readSize(bytes, id.length);
  if (!size) {
    if (bytes.length >= id.length + 8) {
      throw new MediaFileError('NOT_SUPPORTED', 'the stream is malformed');
    }
    return undefined;
  }
  return { id: id.id, size: size.value, length: id.length + size.length };
}

function tooLarge(what: string, size: number): MediaFileError {
  return new MediaFileError('NOT_SUPPORTED', `a ${what} of ${size} bytes is too large`);
}

import { ByteWriter, u32Bytes, u64Bytes } from '../../formats/ByteWriter.js';
import { OPUS_SAMPLE_RATE, opusPacketSamples } from '../../formats/opus.js';
import type { TimedFrame, TrackDescription } from '../EncodedFrame.js';
import type { TrackKind } from '../MediaProfile.js';
import type { FilePatch, Muxer } from '../Muxer.js';

/** The movie timescale (mvhd, tkhd, mehd): milliseconds. */
const MOVIE_TIMESCALE = 1000;
/** A fragment is written out at the latest after this long (and at every video key frame). */
const FRAGMENT_MAX_MS = 1000;
/** ISO/IEC 14496-12 sample flags: a sync sample, and a sample that depends on others. */
const SYNC_SAMPLE_FLAGS = 0x02000000;
const NON_SYNC_SAMPLE_FLAGS = 0x01010000;
/** tfhd: sample data offsets count from the start of the moof. */
const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;
/** trun: data offset, and per-sample duration, size and flags present. */
const TRUN_FLAGS = 0x000001 | 0x000100 | 0x000200 | 0x000400;
/** The last video frame of a recording lasts this long when nothing follows it (1/30 s). */
const DEFAULT_VIDEO_FRAME_TICKS = 3000;

interface Sample {
  readonly ticks: number;
  readonly data: Buffer;
  readonly sync: boolean;
  duration: number;
}

interface Mp4Track {
  readonly id: number;
  readonly description: TrackDescription;
  /** Samples whose duration is known, waiting for the next fragment. */
  readonly ready: Sample[];
  /** The latest sample: its duration is known when the next one arrives. */
  pending: Sample | undefined;
  /** End of the last sample written, in track ticks. */
  endTicks: number;
  /** False until the first sample, which is written at time 0. */
  started: boolean;
  lastDuration: number;
  /** Where durations sit in the header, for the final patch. */
  tkhdDurationOffset: number;
  mdhdDurationOffset: number;
  /** Random access points: fragments whose first sample of this track is a sync sample. */
  readonly randomAccess: { ticks: number; moofOffset: number }[];
}

/**
 * Fragmented MP4 (ISO/IEC 14496-12 with movie fragments): `ftyp` and a `moov` without samples
 * first, then one `moof` + `mdat` per fragment (at most a second, one per video key frame), so a
 * file cut short by a crash plays up to its last fragment. `finish` writes the durations into
 * the `moov` and appends an `mfra` index of the key frames.
 *
 * H.264 is stored as `avc1` with its `avcC`; Opus as `Opus` with `dOps` (Opus in ISOBMFF).
 */
export class FragmentedMp4Muxer implements Muxer {
  readonly #tracks = new Map<TrackKind, Mp4Track>();
  #bytesOut = 0;
  #sequenceNumber = 0;
  #fragmentStartMs = 0;
  #mvhdDurationOffset = 0;
  #mehdDurationOffset = 0;

  get durationMs(): number {
    let end = 0;
    for (const track of this.#tracks.values()) {
      const endTicks = track.pending
        ? track.pending.ticks + track.lastDuration
        : track.endTicks + sumDurations(track.ready);
      end = Math.max(end, (endTicks * 1000) / track.description.clockRate);
    }
    return end;
  }

  start(tracks: readonly TrackDescription[]): Buffer {
    tracks.forEach((description, index) => {
      this.#tracks.set(description.kind, {
        id: index + 1,
        description,
        ready: [],
        pending: undefined,
        endTicks: 0,
        started: false,
        lastDuration: 0,
        tkhdDurationOffset: 0,
        mdhdDurationOffset: 0,
        randomAccess: [],
      });
    });
    const writer = new ByteWriter();
    const hasVideo = this.#tracks.has('video');
    writer.box('ftyp', () => {
      writer.ascii('isom').u32(0x200);
      for (const brand of ['isom', 'iso6', 'mp41', ...(hasVideo ? ['avc1'] : [])]) {
        writer.ascii(brand);
      }
    });
    writer.box('moov', () => {
      writer.fullBox('mvhd', 0, 0, () => {
        writer.u32(0).u32(0).u32(MOVIE_TIMESCALE);
        this.#mvhdDurationOffset = writer.offset;
        writer.u32(0).u32(0x00010000).u16(0x0100).zeros(10);
        writeMatrix(writer);
        writer.zeros(24).u32(this.#tracks.size + 1);
      });
      for (const track of this.#tracks.values()) writeTrack(writer, track);
      writer.box('mvex', () => {
        writer.fullBox('mehd', 1, 0, () => {
          this.#mehdDurationOffset = writer.offset;
          writer.u64(0);
        });
        for (const track of this.#tracks.values()) {
          writer.fullBox('trex', 0, 0, () => {
            writer.u32(track.id).u32(1).u32(0).u32(0).u32(0);
          });
        }
      });
    });
    const header = writer.toBuffer();
    this.#bytesOut = header.length;
    return header;
  }

  write(frame: TimedFrame): Buffer | undefined {
    const track = this.#tracks.get(frame.kind);
    if (!track) return undefined;
    // A track's first sample starts the file: video begins at its first keyframe, a little after
    // audio, and that frame is shown from 0 until the next. (With a later first sample, players
    // such as ffmpeg count the offset twice and report the file longer than it is.)
    const ticks = track.started
      ? Math.max(frame.ticks, track.pending ? track.pending.ticks + 1 : track.endTicks)
      : 0;
    if (track.pending) {
      track.pending.duration = ticks - track.pending.ticks;
      track.lastDuration = track.pending.duration;
      track.ready.push(track.pending);
    }
    track.started = true;
    track.pending = { ticks, data: frame.data, sync: frame.keyframe, duration: 0 };
    const atKeyframe = frame.kind === 'video' && frame.keyframe;
    if (!atKeyframe && frame.timeMs - this.#fragmentStartMs < FRAGMENT_MAX_MS) return undefined;
    const fragment = this.#writeFragment();
    this.#fragmentStartMs = frame.timeMs;
    return fragment;
  }

  finish(): { append: Buffer; patches: FilePatch[] } {
    for (const track of this.#tracks.values()) {
      const last = track.pending;
      if (!last) continue;
      last.duration = lastSampleDuration(track, last);
      track.ready.push(last);
      track.pending = undefined;
    }
    const fragment = this.#writeFragment() ?? Buffer.alloc(0);
    const index = this.#movieFragmentRandomAccess();
    const durationMs = Math.round(this.durationMs);
    const patches: FilePatch[] = [
      { offset: this.#mvhdDurationOffset, bytes: u32Bytes(durationMs) },
      { offset: this.#mehdDurationOffset, bytes: u64Bytes(durationMs) },
    ];
    for (const track of this.#tracks.values()) {
      patches.push(
        {
          offset: track.tkhdDurationOffset,
          bytes: u32Bytes(
            Math.round((track.endTicks * MOVIE_TIMESCALE) / track.description.clockRate),
          ),
        },
        { offset: track.mdhdDurationOffset, bytes: u64Bytes(track.endTicks) },
      );
    }
    return { append: Buffer.concat([fragment, index]), patches };
  }

  /** A moof + mdat with every sample whose duration is known; undefined when there is none. */
  #writeFragment(): Buffer | undefined {
    const tracks = [...this.#tracks.values()].filter((track) => track.ready.length > 0);
    if (tracks.length === 0) return undefined;
    const moofOffset = this.#bytesOut;
    const writer = new ByteWriter();
    const dataOffsetFields: number[] = [];
    writer.box('moof', () => {
      writer.fullBox('mfhd', 0, 0, () => writer.u32(++this.#sequenceNumber));
      for (const track of tracks) {
        const first = track.ready[0] as Sample;
        if (first.sync) track.randomAccess.push({ ticks: first.ticks, moofOffset });
        writer.box('traf', () => {
          writer.fullBox('tfhd', 0, TFHD_DEFAULT_BASE_IS_MOOF, () => writer.u32(track.id));
          writer.fullBox('tfdt', 1, 0, () => writer.u64(first.ticks));
          writer.fullBox('trun', 0, TRUN_FLAGS, () => {
            writer.u32(track.ready.length);
            dataOffsetFields.push(writer.offset);
            writer.i32(0);
            for (const sample of track.ready) {
              writer.u32(sample.duration).u32(sample.data.length);
              writer.u32(sample.sync ? SYNC_SAMPLE_FLAGS : NON_SYNC_SAMPLE_FLAGS);
            }
          });
        });
      }
    });
    const moofSize = writer.offset;
    const mdatHeaderSize = 8;
    let dataOffset = moofSize + mdatHeaderSize;
    tracks.forEach((track, index) => {
      writer.setU32(dataOffsetFields[index] as number, dataOffset);
      dataOffset += sumSizes(track.ready);
    });
    writer.box('mdat', () => {
      for (const track of tracks) {
        for (const sample of track.ready) writer.bytes(sample.data);
        track.endTicks = track.ready[track.ready.length - 1]?.ticks ?? track.endTicks;
        track.endTicks += track.ready[track.ready.length - 1]?.duration ?? 0;
        track.ready.length = 0;
      }
    });
    const fragment = writer.toBuffer();
    this.#bytesOut += fragment.length;
    return fragment;
  }

  /** `mfra`: per track, the fragments that start with a sync sample (tfra), then `mfro`. */
  #movieFragmentRandomAccess(): Buffer {
    const writer = new ByteWriter();
    writer.box('mfra', () => {
      for (const track of this.#tracks.values()) {
        writer.fullBox('tfra', 1, 0, () => {
          writer.u32(track.id).u32(0).u32(track.randomAccess.length);
          for (const point of track.randomAccess) {
            writer.u64(point.ticks).u64(point.moofOffset).u8(1).u8(1).u8(1);
          }
        });
      }
      const mfraSize = writer.offset + 16;
      writer.fullBox('mfro', 0, 0, () => writer.u32(mfraSize));
    });
    const index = writer.toBuffer();
    this.#bytesOut += index.length;
    return index;
  }
}

function writeTrack(writer: ByteWriter, track: Mp4Track): void {
  const { description } = track;
  const video = description.kind === 'video';
  writer.box('trak', () => {
    writer.fullBox('tkhd', 0, 0x3, () => {
      writer.u32(0).u32(0).u32(track.id).u32(0);
      track.tkhdDurationOffset = writer.offset;
      writer
        .u32(0)
        .zeros(8)
        .u16(0)
        .u16(video ? 0 : 1)
        .u16(video ? 0 : 0x0100)
        .u16(0);
      writeMatrix(writer);
      writer.u32((description.width ?? 0) * 0x10000).u32((description.height ?? 0) * 0x10000);
    });
    writer.box('mdia', () => {
      writer.fullBox('mdhd', 1, 0, () => {
        writer.u64(0).u64(0).u32(description.clockRate);
        track.mdhdDurationOffset = writer.offset;
        writer.u64(0).u16(0x55c4).u16(0); // language 'und'
      });
      writer.fullBox('hdlr', 0, 0, () => {
        writer
          .u32(0)
          .ascii(video ? 'vide' : 'soun')
          .zeros(12);
        writer.ascii(video ? 'VideoHandler' : 'SoundHandler').u8(0);
      });
      writer.box('minf', () => {
        if (video) writer.fullBox('vmhd', 0, 1, () => writer.zeros(8));
        else writer.fullBox('smhd', 0, 0, () => writer.zeros(4));
        writer.box('dinf', () => {
          writer.fullBox('dref', 0, 0, () => {
            writer.u32(1).fullBox('url ', 0, 1);
          });
        });
        writer.box('stbl', () => {
          writer.fullBox('stsd', 0, 0, () => {
            writer.u32(1);
            if (video) writeAvcSampleEntry(writer, description);
            else writeOpusSampleEntry(writer, description);
          });
          writer.fullBox('stts', 0, 0, () => writer.u32(0));
          writer.fullBox('stsc', 0, 0, () => writer.u32(0));
          writer.fullBox('stsz', 0, 0, () => writer.u32(0).u32(0));
          writer.fullBox('stco', 0, 0, () => writer.u32(0));
        });
      });
    });
  });
}

function writeAvcSampleEntry(writer: ByteWriter, track: TrackDescription): void {
  writer.box('avc1', () => {
    writer.zeros(6).u16(1).zeros(16);
    writer.u16(track.width ?? 0).u16(track.height ?? 0);
    writer.u32(0x00480000).u32(0x00480000).u32(0).u16(1).zeros(32).u16(0x0018).i16(-1);
    writer.box('avcC', () => writer.bytes(track.avcConfiguration ?? Buffer.alloc(0)));
  });
}

function writeOpusSampleEntry(writer: ByteWriter, track: TrackDescription): void {
  const channels = track.channels ?? 2;
  writer.box('Opus', () => {
    writer.zeros(6).u16(1).zeros(8);
    writer
      .u16(channels)
      .u16(16)
      .u16(0)
      .u16(0)
      .u32(OPUS_SAMPLE_RATE * 0x10000);
    writer.box('dOps', () => {
      writer.u8(0).u8(channels).u16(0).u32(OPUS_SAMPLE_RATE).i16(0).u8(0);
    });
  });
}

function writeMatrix(writer: ByteWriter): void {
  for (const value of [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000]) writer.u32(value);
}

function lastSampleDuration(track: Mp4Track, sample: Sample): number {
  if (track.description.codec === 'OPUS') {
    const samples = opusPacketSamples(sample.data);
    if (samples > 0) return (samples * track.description.clockRate) / OPUS_SAMPLE_RATE;
  }
  return track.lastDuration > 0 ? track.lastDuration : DEFAULT_VIDEO_FRAME_TICKS;
}

function sumSizes(samples: readonly Sample[]): number {
  let total = 0;
  for (const sample of samples) total += sample.data.length;
  return total;
}

function sumDurations(samples: readonly Sample[]): number {
  let total = 0;
  for (const sample of samples) total += sample.duration;
  return total;
}

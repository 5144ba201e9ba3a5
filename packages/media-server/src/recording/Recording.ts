import { avcDecoderConfiguration } from '../formats/h264.js';
import { opusPacketChannels } from '../formats/opus.js';
import { codecName, type MediaPacket, type MediaType } from '../graph/index.js';
import { H264Depacketizer } from './depacketizers/index.js';
import type { DepacketizedFrame, TimedFrame, TrackDescription } from './EncodedFrame.js';
import { RecordingError } from './errors.js';
import { Interleaver } from './Interleaver.js';
import {
  describeProfileCodecs,
  type MediaProfile,
  type RecordedCodec,
  type TrackKind,
} from './MediaProfile.js';
import type { Muxer } from './Muxer.js';
import { FragmentedMp4Muxer } from './mp4/FragmentedMp4Muxer.js';
import { RecordingFile } from './RecordingFile.js';
import type { RecordingOutput } from './RecordingOutput.js';
import { TrackInput } from './TrackInput.js';
import { WebmMuxer } from './webm/WebmMuxer.js';

/**
 * After the first frame, how long the other tracks of the profile are waited for before the
 * file header is written without them (a header lists its tracks once and for all).
 */
const TRACK_WAIT_MS = 2000;
/** How far behind the newest frame a frame may be held to interleave the tracks in order. */
const INTERLEAVE_DELAY_MS = 500;
/**
 * Video key frames are asked for at least this often. A recording is read later by players
 * that seek: a key frame every few seconds bounds how far a seek lands from its target, how long
 * a player's late viewer waits for a picture, and how much video one lost packet can spoil.
 */
const KEYFRAME_INTERVAL_MS = 2000;
/** A key frame request not answered within this long is repeated. */
const KEYFRAME_RETRY_MS = 1000;

export interface RecordingOptions {
  /** Absolute path of the file, already checked against the media root (unless `openOutput`). */
  readonly path?: string;
  /**
   * Opens where the bytes go instead of a file at `path` (an HTTP upload), once the header can
   * be written; `onFailure` is called once if writing fails.
   */
  readonly openOutput?: (onFailure: (error: Error) => void) => RecordingOutput;
  /** The media root: what the file's open descriptor must really be inside (links swapped in). */
  readonly mediaRoot?: string;
  /** How messages to the client name the file (its URI as given); the path by default. */
  readonly name?: string;
  readonly profile: MediaProfile;
  /** Asks the recorded source for a video key frame. */
  readonly requestKeyframe: () => void;
  /** Media started reaching the file (after a start or a resume): Kurento's Recording event. */
  readonly onStarted: () => void;
  readonly onError: (error: RecordingError) => void;
  /** Monotonic clock in ms; `performance.now` unless a test drives time. */
  readonly now?: () => number;
}

export type RecordingState = 'recording' | 'paused' | 'stopped';

interface HeldFrame {
  readonly frame: DepacketizedFrame;
  readonly timeMs: number;
}

/**
 * One recording into one file: RTP packets of the recorded media types in, a WebM, MKV or MP4
 * file out, written as the media arrives.
 *
 * Time zero is the first frame of any track; each track is placed on the recording clock by
 * its RTP clock from the moment its first packet arrived (see RtpClock), so audio starts at
 * once and lines up with video without waiting for RTCP. Video starts at a key frame, asked
 * for when the recording starts. The file is created when the header can be written: once every
 * track of the profile has a frame, or TRACK_WAIT_MS after the first one (a recording with no
 * audio still gives a valid video file). A stream whose codec the profile's container cannot
 * hold fails the recording before any file exists.
 */
export class Recording {
  /** The file written, unless the options gave another output. */
  readonly path: string | undefined;
  readonly profile: MediaProfile;
  readonly #options: RecordingOptions;
  readonly #name: string;
  readonly #now: () => number;
  readonly #inputs = new Map<TrackKind, TrackInput>();
  readonly #rejectedCodecs = new Set<string>();
  #state: RecordingState = 'recording';
  #failed = false;
  #pausedTotalMs = 0;
  #pausedAtMs = 0;
  #announcedStart = false;
  #lastKeyframeAtMs = Number.NEGATIVE_INFINITY;
  #lastKeyframeRequestAtMs = Number.NEGATIVE_INFINITY;

  /** Before the header: frames per track, waiting for the other tracks. */
  readonly #held = new Map<TrackKind, HeldFrame[]>();
  #trackWait: NodeJS.Timeout | undefined;
  /** After the header: */
  #writer: { muxer: Muxer; file: RecordingOutput; interleaver: Interleaver } | undefined;
  #tracks: readonly TrackDescription[] = [];
  #zeroMs = 0;
  readonly #lastTicks = new Map<TrackKind, number>();
  #stopping: Promise<void> | undefined;

  constructor(options: RecordingOptions) {
    this.path = options.path;
    if (options.path === undefined && !options.openOutput) {
      throw new TypeError('a Recording needs a path or an openOutput');
    }
    this.#name = options.name ?? options.path ?? 'the recording';
    this.profile = options.profile;
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#askForKeyframe();
  }

  get state(): RecordingState {
    return this.#state;
  }

  /** Whether the recording gave up (codec the profile cannot hold, or the file failed). */
  get failed(): boolean {
    return this.#failed;
  }

  /** Bytes handed to the file so far (0 before the header is written). */
  get bytesWritten(): number {
    return this.#writer?.file.size ?? 0;
  }

  /** Milliseconds of media in the file so far. */
  get durationMs(): number {
    return this.#writer?.muxer.durationMs ?? 0;
  }

  /** An RTP packet of the recorded source (the graph reuses `packet`: nothing is kept but its payload). */
  push(mediaType: MediaType, packet: MediaPacket): void {
    if (this.#state !== 'recording' || this.#failed) return;
    const kind: TrackKind | undefined =
      mediaType === 'VIDEO' ? 'video' : mediaType === 'AUDIO' ? 'audio' : undefined;
    if (!kind || !this.profile.kinds.includes(kind)) return;
    const input = this.#inputs.get(kind) ?? this.#createInput(kind, packet);
    if (!input) return;
    if (codecName(packet.codec) !== input.codec) {
      this.#reportCodecChange(kind, input.codec, packet.codec.mimeType);
      return;
    }
    input.push(packet, this.#clockMs());
  }

  /** Stops writing until `resume`; the paused time is left out of the file. */
  pause(): void {
    if (this.#state !== 'recording') return;
    this.#state = 'paused';
    this.#pausedAtMs = this.#now();
    for (const input of this.#inputs.values()) input.restart();
  }

  resume(): void {
    if (this.#state !== 'paused') return;
    this.#state = 'recording';
    this.#pausedTotalMs += this.#now() - this.#pausedAtMs;
    this.#announcedStart = false;
    this.#askForKeyframe();
  }

  /**
   * Ends the recording: writes what is held, the index and the duration, and closes the file.
   * Resolves when the file is complete (at once when nothing was recorded). Idempotent.
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#finish();
    return this.#stopping;
  }

  async #finish(): Promise<void> {
    this.#state = 'stopped';
    clearTimeout(this.#trackWait);
    if (!this.#failed && !this.#writer && this.#held.size > 0) this.#startFile();
    const writer = this.#writer;
    if (!writer) return;
    if (!this.#failed) {
      for (const frame of writer.interleaver.flush()) this.#mux(frame);
      const { append, patches } = writer.muxer.finish();
      writer.file.append(append);
      for (const patch of patches) writer.file.patch(patch);
    }
    await writer.file.close();
  }

  #clockMs(): number {
    return this.#now() - this.#pausedTotalMs;
  }

  #createInput(kind: TrackKind, packet: MediaPacket): TrackInput | undefined {
    const codec = codecName(packet.codec);
    if (!(this.profile.codecs[kind] as readonly string[]).includes(codec)) {
      this.#rejectCodec(kind, packet.codec.mimeType);
      return undefined;
    }
    const input = new TrackInput(kind, codec as RecordedCodec, packet.codec.clockRate, {
      onFrame: (frame, timeMs) => this.#onFrame(kind, frame, timeMs),
      onKeyframeNeeded: () => this.#askForKeyframe(),
    });
    this.#inputs.set(kind, input);
    return input;
  }

  #rejectCodec(kind: TrackKind, mimeType: string): void {
    if (this.#rejectedCodecs.has(mimeType)) return;
    this.#rejectedCodecs.add(mimeType);
    const beforeAnything = !this.#writer;
    const message =
      `The ${this.profile.name} profile cannot hold ${kind} in ${mimeType}: it records ${describeProfileCodecs(this.profile)} ` +
      '(the recorder does not transcode). ' +
      (this.profile.container === 'mp4'
        ? 'Record with the WEBM or MKV profile, or have the sender use H.264 (RTCRtpTransceiver.setCodecPreferences).'
        : 'Pick a profile whose container holds this codec (MKV holds VP8, VP9, H.264 and Opus).') +
      (beforeAnything ? ' Nothing was recorded.' : ` The ${kind} is left out of ${this.#name}.`);
    if (beforeAnything) this.#fail();
    this.#options.onError(new RecordingError('CODEC_NOT_ALLOWED', message));
  }

  #reportCodecChange(kind: TrackKind, recorded: RecordedCodec, mimeType: string): void {
    if (this.#rejectedCodecs.has(mimeType)) return;
    this.#rejectedCodecs.add(mimeType);
    this.#options.onError(
      new RecordingError(
        'CODEC_CHANGED',
        `The ${kind} now arrives in ${mimeType} but ${this.#name} records it as ${recorded} (a file track keeps one codec): it is left out until ${recorded} comes back. Make every source of this recorder send ${recorded}, or start a new recording.`,
      ),
    );
  }

  #onFrame(kind: TrackKind, frame: DepacketizedFrame, timeMs: number): void {
    if (this.#state !== 'recording' || this.#failed) return;
    if (kind === 'video') this.#trackKeyframes(frame);
    if (!this.#announcedStart) {
      this.#announcedStart = true;
      this.#options.onStarted();
    }
    const writer = this.#writer;
    if (!writer) {
      this.#hold(kind, { frame, timeMs });
      return;
    }
    if (!this.#tracks.some((track) => track.kind === kind)) return;
    for (const ready of writer.interleaver.push(this.#timed(kind, frame, timeMs))) this.#mux(ready);
  }

  #hold(kind: TrackKind, held: HeldFrame): void {
    const frames = this.#held.get(kind);
    if (frames) frames.push(held);
    else this.#held.set(kind, [held]);
    if (this.profile.kinds.every((profileKind) => this.#held.has(profileKind))) {
      this.#startFile();
      return;
    }
    if (!this.#trackWait) {
      this.#trackWait = setTimeout(() => {
        if (this.#state !== 'stopped' && !this.#failed && !this.#writer) this.#startFile();
      }, TRACK_WAIT_MS);
      this.#trackWait.unref();
    }
  }

  /** Writes the header for the tracks that have frames, then the frames held so far. */
  #startFile(): void {
    clearTimeout(this.#trackWait);
    const tracks: TrackDescription[] = [];
    for (const kind of ['video', 'audio'] as const) {
      const first = this.#held.get(kind)?.[0];
      const input = this.#inputs.get(kind);
      if (first && input) tracks.push(this.#describeTrack(input, first.frame));
    }
    this.#tracks = tracks;
    this.#zeroMs = Math.min(
      ...[...this.#held.values()].map((frames) => (frames[0] as HeldFrame).timeMs),
    );
    const muxer: Muxer =
      this.profile.container === 'mp4'
        ? new FragmentedMp4Muxer()
        : new WebmMuxer(this.profile.container);
    const onFailure = (error: Error) => this.#onWriteFailure(error);
    const file = this.#options.openOutput
      ? this.#options.openOutput(onFailure)
      : new RecordingFile(this.path ?? '', onFailure, this.#options.mediaRoot);
    const interleaver = new Interleaver(
      tracks.map((track) => track.kind),
      INTERLEAVE_DELAY_MS,
    );
    this.#writer = { muxer, file, interleaver };
    file.append(muxer.start(tracks));
    const held = [...this.#held].flatMap(([kind, frames]) =>
      frames.map((entry) => this.#timed(kind, entry.frame, entry.timeMs)),
    );
    this.#held.clear();
    held.sort((a, b) => a.timeMs - b.timeMs);
    for (const frame of held) {
      for (const ready of interleaver.push(frame)) this.#mux(ready);
    }
  }

  #describeTrack(input: TrackInput, first: DepacketizedFrame): TrackDescription {
    if (input.kind === 'audio') {
      return {
        kind: 'audio',
        codec: input.codec,
        clockRate: input.clock.clockRate,
        channels: opusPacketChannels(first.data),
      };
    }
    const depacketizer = input.depacketizer;
    const avcConfiguration =
      depacketizer instanceof H264Depacketizer && depacketizer.sps && depacketizer.pps
        ? avcDecoderConfiguration(depacketizer.sps, depacketizer.pps)
        : undefined;
    return {
      kind: 'video',
      codec: input.codec,
      clockRate: input.clock.clockRate,
      ...(first.width !== undefined ? { width: first.width } : {}),
      ...(first.height !== undefined ? { height: first.height } : {}),
      ...(avcConfiguration ? { avcConfiguration } : {}),
    };
  }

  /** A frame on the file's timeline: ticks from time zero, never going back within a track. */
  #timed(kind: TrackKind, frame: DepacketizedFrame, timeMs: number): TimedFrame {
    const clockRate = this.#inputs.get(kind)?.clock.clockRate ?? 1000;
    const last = this.#lastTicks.get(kind);
    let ticks = Math.max(0, Math.round(((timeMs - this.#zeroMs) * clockRate) / 1000));
    if (last !== undefined && ticks <= last) ticks = last + 1;
    this.#lastTicks.set(kind, ticks);
    return { ...frame, kind, ticks, timeMs: (ticks * 1000) / clockRate };
  }

  #mux(frame: TimedFrame): void {
    const writer = this.#writer;
    if (!writer || this.#failed) return;
    const bytes = writer.muxer.write(frame);
    if (bytes) writer.file.append(bytes);
  }

  #trackKeyframes(frame: DepacketizedFrame): void {
    const now = this.#now();
    if (frame.keyframe) this.#lastKeyframeAtMs = now;
    else if (now - this.#lastKeyframeAtMs >= KEYFRAME_INTERVAL_MS) this.#askForKeyframe();
  }

  #askForKeyframe(): void {
    if (!this.profile.kinds.includes('video')) return;
    const now = this.#now();
    if (now - this.#lastKeyframeRequestAtMs < KEYFRAME_RETRY_MS) return;
    this.#lastKeyframeRequestAtMs = now;
    this.#options.requestKeyframe();
  }

  #onWriteFailure(error: Error): void {
    this.#fail();
    if (error instanceof RecordingError) {
      this.#options.onError(error);
      return;
    }
    const code = (error as NodeJS.ErrnoException).code;
    const escaped = code === 'OUTSIDE_MEDIA_ROOT' || code === 'ELOOP';
    const message = escaped
      ? `Cannot write the recording ${this.#name}: a symbolic link now leads it outside the media root, so nothing was written. Record to a path inside the media root. Recording stopped.`
      : `Cannot write the recording ${this.#name} (${code ?? error.message}): check that the media root is writable and has free space. Recording stopped.`;
    this.#options.onError(new RecordingError('WRITE_FAILED', message, { cause: error }));
  }

  #fail(): void {
    this.#failed = true;
    clearTimeout(this.#trackWait);
    this.#held.clear();
  }
}

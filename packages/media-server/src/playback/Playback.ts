import type { MediaPacket } from '../graph/index.js';
import type { TrackKind } from '../recording/MediaProfile.js';
import type { DemuxedFrame, Demuxer } from './DemuxedMedia.js';
import { MediaFileError } from './errors.js';
import { RtpTrackSender } from './RtpTrackSender.js';

/** Frames are read this far ahead of the playback position. */
const READ_AHEAD_MS = 1000;
/** Frames due within this much of now go out in the same tick (timers are not exact). */
const SEND_TOLERANCE_MS = 2;
/**
 * A key frame request is answered by sending the video again from the last key frame (a file
 * cannot make a new key frame), when that key frame is at most this old...
 */
const REPLAY_MAX_SPAN_MS = 3000;
/** ...and at most this often, since the replay is a burst for every receiver. */
const REPLAY_MIN_INTERVAL_MS = 1000;

export type PlaybackState = 'stopped' | 'playing' | 'paused' | 'ended';

export interface PlaybackEvents {
  /** An RTP packet of a track (reused object: copy what you keep). */
  readonly onPacket: (kind: TrackKind, packet: MediaPacket) => void;
  readonly onEndOfStream: () => void;
  readonly onError: (error: MediaFileError) => void;
}

/** Where media time meets wall time: frames are due at `wallMs + (timeMs - mediaMs)`. */
interface Segment {
  readonly wallMs: number;
  readonly mediaMs: number;
  /** The playback timeline (ms played, across seeks and pauses) at `mediaMs`: RTP time. */
  readonly timelineMs: number;
}

/** A video frame already sent, kept to answer a key frame request. */
interface SentVideoFrame {
  readonly data: Buffer;
  readonly keyframe: boolean;
  readonly timestamp: number;
  readonly pictureId: number;
  readonly timeMs: number;
}

/**
 * Plays a demuxed file into RTP in real time: frames go out when their time comes (read one
 * second ahead), each track with its own SSRC, sequence numbers and timestamps. RTP timestamps
 * follow the time played, so they keep increasing across pauses and seeks, and audio and video
 * share one timeline (what a receiver needs for lip sync).
 */
export class Playback {
  readonly demuxer: Demuxer;
  readonly #events: PlaybackEvents;
  readonly #now: () => number;
  readonly #senders = new Map<TrackKind, RtpTrackSender>();
  #state: PlaybackState = 'stopped';
  #segment: Segment | undefined;
  /** Position and timeline while not playing. */
  #heldPositionMs = 0;
  #heldTimelineMs = 0;
  #frames: AsyncIterator<DemuxedFrame> | undefined;
  #queue: DemuxedFrame[] = [];
  #exhausted = false;
  #reading = false;
  /** Bumped by every seek and stop: reads started before are discarded. */
  #generation = 0;
  #timer: NodeJS.Timeout | undefined;
  #gop: SentVideoFrame[] = [];
  #lastReplayAtMs = Number.NEGATIVE_INFINITY;

  constructor(
    demuxer: Demuxer,
    events: PlaybackEvents,
    now: () => number = () => performance.now(),
  ) {
    this.demuxer = demuxer;
    this.#events = events;
    this.#now = now;
    for (const track of demuxer.tracks) this.#senders.set(track.kind, new RtpTrackSender(track));
  }

  get state(): PlaybackState {
    return this.#state;
  }

  /** The codec each track is sent with. */
  get senders(): ReadonlyMap<TrackKind, RtpTrackSender> {
    return this.#senders;
  }

  /** Milliseconds into the file. */
  get positionMs(): number {
    const segment = this.#segment;
    if (this.#state !== 'playing' || !segment) return this.#heldPositionMs;
    const position = segment.mediaMs + (this.#now() - segment.wallMs);
    return Math.max(0, Math.min(position, this.demuxer.durationMs));
  }

  /** Starts (from the beginning after a stop or the end), or resumes after a pause. */
  play(): void {
    if (this.#state === 'playing') return;
    if (this.#state === 'stopped' || this.#state === 'ended')
      this.#openAt(this.#state === 'ended' ? 0 : this.#heldPositionMs);
    this.#state = 'playing';
    this.#segment = undefined;
    this.#fill();
    this.#schedule();
  }

  pause(): void {
    if (this.#state !== 'playing') return;
    this.#hold();
    this.#state = 'paused';
  }

  /** Stops sending; the next play starts from the beginning. */
  stop(): void {
    this.#hold();
    this.#state = 'stopped';
    this.#heldPositionMs = 0;
    this.#closeReader();
  }

  /** Moves to `positionMs` (playback continues from the last key frame at or before it). */
  seek(positionMs: number): void {
    const target = Math.max(0, Math.min(positionMs, this.demuxer.durationMs));
    const playing = this.#state === 'playing';
    this.#hold();
    this.#heldPositionMs = target;
    if (this.#state === 'ended') this.#state = 'paused';
    if (this.#state === 'stopped') return;
    this.#openAt(target);
    if (playing) {
      this.#fill();
      this.#schedule();
    }
  }

  /**
   * A receiver lost the picture. A file cannot produce a new key frame, so the video since the
   * last key frame is sent again at once, with its original timestamps and picture ids: a
   * receiver that has those frames drops them as old, one that lost them decodes from the key
   * frame. Skipped when the last key frame is too old (the burst would be too large).
   */
  requestKeyframe(): void {
    const sender = this.#senders.get('video');
    const first = this.#gop[0];
    if (this.#state !== 'playing' || !sender || !first?.keyframe) return;
    const now = this.#now();
    if (now - this.#lastReplayAtMs < REPLAY_MIN_INTERVAL_MS) return;
    this.#lastReplayAtMs = now;
    for (const frame of this.#gop) {
      sender.send(frame.data, frame.keyframe, frame.timestamp, frame.pictureId, (packet) =>
        this.#events.onPacket('video', packet),
      );
    }
  }

  async close(): Promise<void> {
    this.stop();
    await this.demuxer.close();
  }

  #openAt(positionMs: number): void {
    this.#closeReader();
    this.#generation++;
    this.#heldPositionMs = positionMs;
    this.#frames = this.demuxer.frames(positionMs);
    this.#exhausted = false;
    this.#reading = false;
    this.#gop = [];
  }

  #closeReader(): void {
    this.#generation++;
    const frames = this.#frames;
    this.#frames = undefined;
    this.#queue = [];
    void frames?.return?.().catch(() => undefined);
  }

  /** Freezes position and timeline (pause, seek, stop). */
  #hold(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#state !== 'playing') return;
    const segment = this.#segment;
    if (segment) {
      const elapsed = this.#now() - segment.wallMs;
      this.#heldPositionMs = this.positionMs;
      this.#heldTimelineMs = segment.timelineMs + Math.max(0, elapsed);
    }
    this.#segment = undefined;
  }

  /** Keeps READ_AHEAD_MS of frames queued. */
  #fill(): void {
    if (this.#reading || this.#exhausted || !this.#frames) return;
    this.#reading = true;
    const generation = this.#generation;
    const frames = this.#frames;
    const readMore = async () => {
      while (generation === this.#generation && !this.#enoughQueued()) {
        const next = await frames.next();
        if (generation !== this.#generation) return;
        if (next.done) {
          this.#exhausted = true;
          break;
        }
        this.#queue.push(next.value);
      }
      if (generation !== this.#generation) return;
      this.#reading = false;
      if (this.#state === 'playing' && !this.#timer) this.#schedule();
    };
    readMore().catch((error: unknown) => {
      if (generation !== this.#generation) return;
      this.#reading = false;
      this.#exhausted = true;
      this.#queue = [];
      this.#state = 'stopped';
      clearTimeout(this.#timer);
      this.#events.onError(
        error instanceof MediaFileError
          ? error
          : new MediaFileError('UNREADABLE', `reading failed: ${String(error)}`, { cause: error }),
      );
    });
  }

  #enoughQueued(): boolean {
    const first = this.#queue[0];
    const last = this.#queue[this.#queue.length - 1];
    return first !== undefined && last !== undefined && last.timeMs - first.timeMs >= READ_AHEAD_MS;
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#state !== 'playing') return;
    const next = this.#queue[0];
    if (!next) {
      if (this.#exhausted) this.#end();
      else this.#fill();
      return;
    }
    const segment = this.#segmentFor(next);
    const delay = segment.wallMs + (next.timeMs - segment.mediaMs) - this.#now();
    if (delay <= SEND_TOLERANCE_MS) {
      this.#sendDue();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#sendDue();
    }, delay);
  }

  /** The segment frames are timed by; the first frame after a (re)start opens a new one. */
  #segmentFor(frame: DemuxedFrame): Segment {
    this.#segment ??= {
      wallMs: this.#now(),
      // Resuming: the paused position. After a seek: the key frame before the target.
      mediaMs: Math.min(frame.timeMs, this.#heldPositionMs),
      timelineMs: this.#heldTimelineMs,
    };
    return this.#segment;
  }

  #sendDue(): void {
    const now = this.#now();
    for (;;) {
      const frame = this.#queue[0];
      if (!frame || this.#state !== 'playing') break;
      const segment = this.#segmentFor(frame);
      if (segment.wallMs + (frame.timeMs - segment.mediaMs) > now + SEND_TOLERANCE_MS) break;
      this.#queue.shift();
      this.#send(frame, segment.timelineMs + (frame.timeMs - segment.mediaMs));
    }
    this.#fill();
    this.#schedule();
  }

  #send(frame: DemuxedFrame, timelineMs: number): void {
    const sender = this.#senders.get(frame.kind);
    if (!sender) return;
    const timestamp = sender.timestampAt(timelineMs);
    const pictureId = frame.kind === 'video' ? sender.nextPictureId() : 0;
    if (frame.kind === 'video') this.#remember(frame, timestamp, pictureId);
    sender.send(frame.data, frame.keyframe, timestamp, pictureId, (packet) =>
      this.#events.onPacket(frame.kind, packet),
    );
  }

  #remember(frame: DemuxedFrame, timestamp: number, pictureId: number): void {
    if (frame.keyframe) this.#gop = [];
    else if (this.#gop.length === 0) return;
    const first = this.#gop[0];
    if (first && frame.timeMs - first.timeMs > REPLAY_MAX_SPAN_MS) {
      this.#gop = []; // too long to replay: wait for the next key frame
      return;
    }
    this.#gop.push({
      data: frame.data,
      keyframe: frame.keyframe,
      timestamp,
      pictureId,
      timeMs: frame.timeMs,
    });
  }

  #end(): void {
    this.#hold();
    this.#state = 'ended';
    this.#heldPositionMs = this.demuxer.durationMs;
    this.#events.onEndOfStream();
  }
}

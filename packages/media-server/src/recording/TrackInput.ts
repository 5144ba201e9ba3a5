import type { MediaPacket } from '../graph/index.js';
import { createDepacketizer, type Depacketizer, H264Depacketizer } from './depacketizers/index.js';
import type { DepacketizedFrame } from './EncodedFrame.js';
import type { RecordedCodec, TrackKind } from './MediaProfile.js';
import { RtpClock } from './RtpClock.js';
import { RtpFrameAssembler } from './RtpFrameAssembler.js';

/**
 * How long a missing packet is waited for before its frame is given up. A NACK retransmission
 * takes one round trip; 250 ms covers most, and delays the file by no more than that.
 */
const MAX_PACKET_WAIT_MS = 250;

export interface TrackInputEvents {
  /** A complete frame, with its time on the recording clock (ms). */
  readonly onFrame: (frame: DepacketizedFrame, timeMs: number) => void;
  /** Video cannot continue without a key frame (start, resume, or frames lost). */
  readonly onKeyframeNeeded: () => void;
}

/**
 * One media type of a recording, from RTP packets to timed frames: reorders and reassembles
 * the packets, depacketizes, places each frame on the recording clock, and for video lets
 * frames through only from a key frame on (after the start and after every loss), so the file
 * never holds a frame its decoder cannot decode.
 */
export class TrackInput {
  readonly kind: TrackKind;
  readonly codec: RecordedCodec;
  readonly clock: RtpClock;
  readonly depacketizer: Depacketizer;
  readonly #assembler: RtpFrameAssembler;
  readonly #events: TrackInputEvents;
  #awaitingKeyframe: boolean;
  #lastTimeMs: number | undefined;

  constructor(kind: TrackKind, codec: RecordedCodec, clockRate: number, events: TrackInputEvents) {
    this.kind = kind;
    this.codec = codec;
    this.clock = new RtpClock(clockRate);
    this.depacketizer = createDepacketizer(codec);
    this.#events = events;
    this.#awaitingKeyframe = kind === 'video';
    this.#assembler = new RtpFrameAssembler({
      packetPerFrame: kind === 'audio',
      startsFrame: (payload) => this.depacketizer.startsFrame(payload),
      maxWaitMs: MAX_PACKET_WAIT_MS,
      onFrame: (frame) => this.#onFrame(frame.timestamp, frame.payloads),
      onLoss: () => this.#onLoss(),
    });
  }

  /** `nowMs` is the recording clock (wall time without pauses). */
  push(packet: MediaPacket, nowMs: number): void {
    this.clock.observe(packet.timestamp, nowMs);
    this.#assembler.push(
      packet.sequenceNumber,
      packet.timestamp,
      packet.marker,
      packet.payload,
      nowMs,
    );
  }

  /** Forgets the stream so far (after a pause): the next packet anchors the clock again. */
  restart(): void {
    this.#assembler.reset();
    this.clock.reanchor();
    this.#lastTimeMs = undefined;
    if (this.kind === 'video') this.#awaitingKeyframe = true;
  }

  get awaitingKeyframe(): boolean {
    return this.#awaitingKeyframe;
  }

  #onFrame(timestamp: number, payloads: readonly Buffer[]): void {
    // A frame from the past (a sender repeating frames, e.g. a player answering a key frame
    // request by sending its last group of pictures again) cannot be appended to the file.
    const timeMs = this.clock.timeOf(timestamp);
    if (this.#lastTimeMs !== undefined && timeMs <= this.#lastTimeMs) return;
    const frame = this.depacketizer.depacketize(payloads);
    if (!frame) {
      this.#onLoss();
      return;
    }
    if (this.#awaitingKeyframe) {
      if (!frame.keyframe || !this.#hasDecoderConfiguration()) {
        this.#events.onKeyframeNeeded();
        return;
      }
      this.#awaitingKeyframe = false;
    }
    this.#lastTimeMs = timeMs;
    this.#events.onFrame(frame, timeMs);
  }

  #onLoss(): void {
    if (this.kind !== 'video') return;
    this.#awaitingKeyframe = true;
    this.#events.onKeyframeNeeded();
  }

  /** H.264 files need the SPS and PPS in their header before the first frame. */
  #hasDecoderConfiguration(): boolean {
    const depacketizer = this.depacketizer;
    if (!(depacketizer instanceof H264Depacketizer)) return true;
    return depacketizer.sps !== undefined && depacketizer.pps !== undefined;
  }
}

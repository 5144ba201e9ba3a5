import type { MediaCodec } from '../graph/index.js';
import type { Logger } from '../logger.js';
import { bitrateSetting, encoderName, kindOf } from './codecElements.js';
import type { ProcessingStage } from './ProcessingStage.js';

/** Start bitrates before any receiver reports an estimate. */
const INITIAL_BITRATE = { audio: 64_000, video: 1_000_000 } as const;
/** A new estimate within this share of the current bitrate changes nothing. */
const HYSTERESIS = 0.1;
/** Sent below the estimate, as a browser's own sender does, to leave room for retransmissions. */
const HEADROOM = 0.9;
const MIN_VIDEO_BITRATE = 150_000;

/**
 * The bitrate of a stage's video encoder, following the lowest estimate of its receivers
 * (their REMB) as a browser's sender would. Audio keeps its start bitrate.
 */
export class EncoderBitrate {
  readonly #kind: 'audio' | 'video';
  readonly #logger: Logger;
  #current: number;

  constructor(kind: 'audio' | 'video', logger: Logger) {
    this.#kind = kind;
    this.#logger = logger;
    this.#current = INITIAL_BITRATE[kind];
  }

  /** What the encoder is set to, in bit/s: the value to start its pipeline with. */
  get current(): number {
    return this.#current;
  }

  /**
   * Moves the encoder of `stream` (producing `codec`) towards `estimate` when it differs enough
   * to matter. The value carries over when the stage is rebuilt for another codec.
   */
  follow(
    stage: ProcessingStage,
    stream: string,
    codec: MediaCodec,
    estimate: number | undefined,
  ): void {
    if (estimate === undefined || this.#kind !== 'video' || kindOf(codec) !== 'video') return;
    const target = Math.max(MIN_VIDEO_BITRATE, Math.round(estimate * HEADROOM));
    if (Math.abs(target - this.#current) <= this.#current * HYSTERESIS) return;
    const setting = bitrateSetting(codec, target);
    if (!setting) return;
    this.#current = target;
    stage
      .setProperty([encoderName(stream)], setting.property, setting.value)
      .catch((error: unknown) => this.#logger.debug('bitrate change failed', { error }));
  }
}

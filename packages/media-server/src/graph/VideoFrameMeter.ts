import { isKeyframeStart } from './keyframe.js';
import { type VideoSize, videoSizeOf } from './keyframeSize.js';
import type { MediaPacket } from './MediaPacket.js';

/** Frames per second are counted over windows of at least this length. */
const RATE_WINDOW_MS = 1000;

/** A rate not refreshed for this long is stale: the stream stopped. */
const STALE_RATE_MS = 2 * RATE_WINDOW_MS;

/**
 * Counts the video frames crossing one pad without decoding them: a new RTP timestamp is a new
 * frame. Per packet it compares one number; per frame it also looks at the payload's first
 * bytes, and reads the picture size from key frames (`videoSizeOf` in graph/keyframeSize.ts).
 */
export class VideoFrameMeter {
  #frames = 0;
  #lastTimestamp = 0;
  #framesAtWindowStart = 0;
  #windowStartMs = 0;
  #framesPerSecond = 0;
  #size: VideoSize | undefined;

  /** Counts `packet`; `nowMs` is the caller's `performance.now()`. Hot path. */
  count(packet: MediaPacket, nowMs: number): void {
    if (packet.timestamp === this.#lastTimestamp && this.#frames > 0) return;
    this.#lastTimestamp = packet.timestamp;
    this.#frames++;
    const elapsedMs = nowMs - this.#windowStartMs;
    if (elapsedMs >= RATE_WINDOW_MS) {
      this.#framesPerSecond =
        elapsedMs < STALE_RATE_MS
          ? ((this.#frames - this.#framesAtWindowStart) * 1000) / elapsedMs
          : 0;
      this.#framesAtWindowStart = this.#frames;
      this.#windowStartMs = nowMs;
    }
    if (isKeyframeStart(packet.codec, packet.payload)) {
      this.#size = videoSizeOf(packet.codec, packet.payload) ?? this.#size;
    }
  }

  /** Frames counted so far. */
  get frames(): number {
    return this.#frames;
  }

  /** Frames per second over the last full window; 0 once no frame came for two windows. */
  framesPerSecond(nowMs = performance.now()): number {
    return nowMs - this.#windowStartMs < STALE_RATE_MS ? this.#framesPerSecond : 0;
  }

  /** The picture size of the last key frame that declared one. */
  get size(): VideoSize | undefined {
    return this.#size;
  }
}

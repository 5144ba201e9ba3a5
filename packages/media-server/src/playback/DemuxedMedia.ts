import type { RecordedCodec, TrackKind } from '../recording/MediaProfile.js';

/** A track of a media file that the player can send. */
export interface PlayableTrack {
  readonly kind: TrackKind;
  readonly codec: RecordedCodec;
  /** The container's track number (Matroska) or track id (MP4). */
  readonly number: number;
  readonly width?: number;
  readonly height?: number;
  readonly channels?: number;
  /** H.264: the AVCDecoderConfigurationRecord (SPS, PPS and NAL length size). */
  readonly avcConfiguration?: Buffer;
}

/** One frame read from a file. */
export interface DemuxedFrame {
  readonly kind: TrackKind;
  /** Presentation time in milliseconds from the start of the file. */
  readonly timeMs: number;
  readonly data: Buffer;
  readonly keyframe: boolean;
}

/** Reads the frames of a media file in time order, from the start or from a seek point. */
export interface Demuxer {
  readonly tracks: readonly PlayableTrack[];
  readonly durationMs: number;
  /**
   * The frames from `positionMs` on. With video, reading starts at the last key frame at or
   * before the position (audio from the same instant), so the picture decodes at once.
   */
  frames(positionMs: number): AsyncIterableIterator<DemuxedFrame>;
  close(): Promise<void>;
}

import type { RecordedCodec, TrackKind } from './MediaProfile.js';

/** A frame put back together from its RTP packets, in the codec's storage form. */
export interface DepacketizedFrame {
  /** VP8/VP9 frame, H.264 access unit in AVCC form (4-byte lengths), or Opus packet. */
  readonly data: Buffer;
  /** A frame a decoder can start from (always true for audio). */
  readonly keyframe: boolean;
  /** The picture size, when a key frame declares it. */
  readonly width?: number;
  readonly height?: number;
}

/** A frame on the recording's timeline, ready for a muxer. */
export interface TimedFrame extends DepacketizedFrame {
  readonly kind: TrackKind;
  /** Time since the start of the recording in units of the track's clock (RTP clock rate). */
  readonly ticks: number;
  /** The same time in milliseconds (for interleaving and containers counting in ms). */
  readonly timeMs: number;
}

/** One track of a recorded file, as a muxer declares it in the file header. */
export interface TrackDescription {
  readonly kind: TrackKind;
  readonly codec: RecordedCodec;
  /** Ticks per second of the track's timestamps (90000 for video, 48000 for Opus). */
  readonly clockRate: number;
  readonly width?: number;
  readonly height?: number;
  readonly channels?: number;
  /** H.264: the AVCDecoderConfigurationRecord built from the stream's SPS and PPS. */
  readonly avcConfiguration?: Buffer;
}

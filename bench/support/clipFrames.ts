// Real encoded frames for the muxer bench: ffmpeg encodes a test pattern and a tone as a browser
// would (no B-frames, a key frame every 2 s as the recorder asks for), and the frames are read
// back out of that file so every muxer is fed exactly the same bytes and times.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { opusPacketSamples } from '../../packages/media-server/src/formats/opus.js';
import { FileByteSource } from '../../packages/media-server/src/playback/ByteSource.js';
import { openDemuxer } from '../../packages/media-server/src/playback/openDemuxer.js';
import type { TrackDescription } from '../../packages/media-server/src/recording/EncodedFrame.js';
import type { FeedFrame } from './muxerCandidates.js';

const run = promisify(execFile);
export const FRAME_RATE = 30;
const KEYFRAME_INTERVAL_FRAMES = 60;

export type ClipCodec = 'vp8' | 'h264';

/** A 640x480 30 fps test pattern with a 440 Hz tone: VP8 + Opus in WebM, or H.264 + Opus in MP4. */
export async function makeClip(path: string, codec: ClipCodec, seconds: number): Promise<void> {
  const video =
    codec === 'vp8'
      ? ['-c:v', 'libvpx', '-b:v', '800k', '-deadline', 'realtime', '-cpu-used', '8']
      : ['-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-profile:v', 'baseline', '-b:v', '800k'];
  await run('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=640x480:rate=${FRAME_RATE}`],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(seconds)],
    ...video,
    ...['-g', String(KEYFRAME_INTERVAL_FRAMES), '-bf', '0'],
    ...['-c:a', 'libopus', '-b:a', '32k', '-strict', '-2', path],
  ]);
}

export interface Feed {
  readonly tracks: readonly TrackDescription[];
  /** Every frame, in time order across tracks, from time 0. */
  readonly frames: readonly FeedFrame[];
  /** End of the media fed: the latest frame end over the tracks, in ms. */
  readonly mediaMs: number;
  readonly bytes: number;
}

/** The frames of a clip, as the recorder's muxers receive them (ticks of each track's clock). */
export async function loadFeed(path: string): Promise<Feed> {
  const demuxer = await openDemuxer(await FileByteSource.open(path));
  const tracks: TrackDescription[] = demuxer.tracks.map((track) => ({
    kind: track.kind,
    codec: track.codec,
    clockRate: track.kind === 'video' ? 90000 : 48000,
    ...(track.width !== undefined ? { width: track.width } : {}),
    ...(track.height !== undefined ? { height: track.height } : {}),
    ...(track.channels !== undefined ? { channels: track.channels } : {}),
    ...(track.avcConfiguration ? { avcConfiguration: track.avcConfiguration } : {}),
  }));
  const raw: { kind: 'audio' | 'video'; timeMs: number; data: Buffer; keyframe: boolean }[] = [];
  for await (const frame of demuxer.frames(0))
    raw.push({ ...frame, data: Buffer.from(frame.data) });
  await demuxer.close();
  const zeroMs = Math.min(...raw.map((frame) => frame.timeMs));
  const clockOf = (kind: string) => (kind === 'video' ? 90000 : 48000);
  const timed = raw.map((frame) => {
    const ticks = Math.round(((frame.timeMs - zeroMs) * clockOf(frame.kind)) / 1000);
    return { ...frame, ticks, timeMs: (ticks * 1000) / clockOf(frame.kind) };
  });
  const frames: FeedFrame[] = [];
  let mediaMs = 0;
  let bytes = 0;
  for (const kind of ['video', 'audio'] as const) {
    const ofKind = timed.filter((frame) => frame.kind === kind);
    ofKind.forEach((frame, index) => {
      const next = ofKind[index + 1];
      const durationTicks = next
        ? next.ticks - frame.ticks
        : kind === 'audio'
          ? opusPacketSamples(frame.data)
          : 90000 / FRAME_RATE;
      frames.push({ ...frame, durationTicks });
      mediaMs = Math.max(mediaMs, ((frame.ticks + durationTicks) * 1000) / clockOf(kind));
      bytes += frame.data.length;
    });
  }
  frames.sort((a, b) => a.timeMs - b.timeMs || (a.kind === 'video' ? -1 : 1));
  return { tracks, frames, mediaMs, bytes };
}

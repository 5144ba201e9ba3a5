// The muxers bench/muxers.ts compares, each behind one small interface so the bench drives them
// the same way: Medley's own (the recorder's Muxer) and mediabunny's, both writing through the
// recorder's RecordingFile (the same queued positional writes, the same file handle).
import {
  EncodedAudioPacketSource,
  EncodedPacket,
  EncodedVideoPacketSource,
  MkvOutputFormat,
  Mp4OutputFormat,
  Output,
  StreamTarget,
  type StreamTargetChunk,
  WebMOutputFormat,
} from 'mediabunny';
import { opusHead } from '../../packages/media-server/src/formats/opus.js';
import type {
  TimedFrame,
  TrackDescription,
} from '../../packages/media-server/src/recording/EncodedFrame.js';
import type { Muxer } from '../../packages/media-server/src/recording/Muxer.js';
import { FragmentedMp4Muxer } from '../../packages/media-server/src/recording/mp4/FragmentedMp4Muxer.js';
import { RecordingFile } from '../../packages/media-server/src/recording/RecordingFile.js';
import { WebmMuxer } from '../../packages/media-server/src/recording/webm/WebmMuxer.js';

export type Container = 'webm' | 'mkv' | 'mp4';

/** A frame with the duration the recorder would know once the next frame of its track arrives. */
export interface FeedFrame extends TimedFrame {
  readonly durationTicks: number;
}

/** One muxer writing one file. `write` may return a promise (backpressure), awaited by the caller. */
export interface MuxSession {
  write(frame: FeedFrame): Promise<void> | undefined;
  /** Completes and closes the file. */
  finish(): Promise<void>;
  /** Positional writes handed to the file so far, and their bytes. */
  readonly writes: number;
  readonly bytes: number;
}

export interface MuxCandidate {
  readonly name: string;
  readonly container: Container;
  /** Starts a file (the header may be written at once or with the first frames). */
  start(path: string, tracks: readonly TrackDescription[]): Promise<MuxSession>;
}

function openFile(path: string): RecordingFile {
  return new RecordingFile(path, (error) => {
    throw error;
  });
}

/** Medley's muxers, exactly as Recording drives them. */
export function medleyCandidate(container: Container): MuxCandidate {
  return {
    name: 'medley',
    container,
    async start(path, tracks) {
      const muxer: Muxer =
        container === 'mp4'
          ? new FragmentedMp4Muxer()
          : new WebmMuxer(container === 'mkv' ? 'matroska' : 'webm');
      const file = openFile(path);
      let writes = 1;
      file.append(muxer.start(tracks));
      return {
        get writes() {
          return writes;
        },
        get bytes() {
          return file.size;
        },
        write(frame) {
          const bytes = muxer.write(frame);
          if (bytes) {
            file.append(bytes);
            writes++;
          }
          return undefined;
        },
        async finish() {
          const { append, patches } = muxer.finish();
          file.append(append);
          for (const patch of patches) file.patch(patch);
          writes += 1 + patches.length;
          await file.close();
        },
      };
    },
  };
}

export interface MediabunnyOptions {
  /** WebM/MKV: clusters of unknown size, no Duration/SeekHead (mediabunny's live-streaming mode). */
  readonly appendOnly?: boolean;
  /** Minimum cluster/fragment duration in seconds (mediabunny's default: 1). */
  readonly minimumPieceSeconds?: number;
}

/**
 * mediabunny's Output with encoded-packet sources, written unchunked through a StreamTarget
 * (`chunked: true` would hold 16 MiB in memory before writing: a crash would lose all of it).
 * WebM/MKV as its default (known-size clusters, patched) or `appendOnly`; MP4 fragmented.
 */
export function mediabunnyCandidate(
  container: Container,
  options: MediabunnyOptions = {},
): MuxCandidate {
  const suffix = options.appendOnly ? ' appendOnly' : '';
  return {
    name: `mediabunny${suffix}`,
    container,
    async start(path, tracks) {
      const file = openFile(path);
      let writes = 0;
      let written = 0;
      const writable = new WritableStream<StreamTargetChunk>({
        write(chunk) {
          writes++;
          written += chunk.data.length;
          const bytes = Buffer.from(chunk.data.buffer, chunk.data.byteOffset, chunk.data.length);
          file.patch({ offset: chunk.position, bytes });
        },
      });
      const minimum = options.minimumPieceSeconds ?? 1;
      const format =
        container === 'mp4'
          ? new Mp4OutputFormat({ fastStart: 'fragmented', minimumFragmentDuration: minimum })
          : new (container === 'mkv' ? MkvOutputFormat : WebMOutputFormat)({
              appendOnly: options.appendOnly ?? false,
              minimumClusterDuration: minimum,
            });
      const output = new Output({ format, target: new StreamTarget(writable) });
      const sources = new Map<string, { source: PacketSource; track: TrackDescription }>();
      for (const track of tracks) {
        if (track.kind === 'video') {
          const source = new EncodedVideoPacketSource(VIDEO_CODECS[track.codec] ?? 'vp8');
          output.addVideoTrack(source);
          sources.set('video', { source, track });
        } else {
          const source = new EncodedAudioPacketSource('opus');
          output.addAudioTrack(source);
          sources.set('audio', { source, track });
        }
      }
      await output.start();
      const started = new Set<string>();
      return {
        get writes() {
          return writes;
        },
        get bytes() {
          return written;
        },
        write(frame) {
          const entry = sources.get(frame.kind);
          if (!entry) return undefined;
          const { source, track } = entry;
          const packet = new EncodedPacket(
            frame.data,
            frame.keyframe ? 'key' : 'delta',
            frame.ticks / track.clockRate,
            frame.durationTicks / track.clockRate,
          );
          if (started.has(frame.kind)) return source.add(packet);
          started.add(frame.kind);
          return source.add(packet, decoderConfiguration(track) as never);
        },
        async finish() {
          await output.finalize();
          await file.close();
        },
      };
    },
  };
}

type PacketSource = EncodedVideoPacketSource | EncodedAudioPacketSource;

const VIDEO_CODECS: Readonly<Record<string, 'vp8' | 'vp9' | 'avc'>> = {
  VP8: 'vp8',
  VP9: 'vp9',
  H264: 'avc',
};

/** What a WebCodecs encoder would hand along with its first chunk (mediabunny's `meta`). */
function decoderConfiguration(track: TrackDescription) {
  if (track.kind === 'audio') {
    const channels = track.channels ?? 2;
    return {
      decoderConfig: {
        codec: 'opus',
        numberOfChannels: channels,
        sampleRate: 48000,
        description: opusHead(channels),
      },
    };
  }
  const avc = track.avcConfiguration;
  const codec =
    track.codec === 'H264' && avc
      ? `avc1.${avc.subarray(1, 4).toString('hex')}`
      : track.codec === 'VP9'
        ? 'vp09.00.10.08'
        : 'vp8';
  return {
    decoderConfig: {
      codec,
      codedWidth: track.width ?? 0,
      codedHeight: track.height ?? 0,
      ...(avc ? { description: avc } : {}),
    },
  };
}

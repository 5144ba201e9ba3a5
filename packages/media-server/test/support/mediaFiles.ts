import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** ffmpeg and ffprobe, run on real files: what the recorder writes must satisfy them. */

const run = promisify(execFile);

export interface ProbedStream {
  readonly codecType: 'audio' | 'video';
  readonly codecName: string;
  readonly width?: number;
  readonly height?: number;
  readonly channels?: number;
  /** Seconds, from the first packet's pts. */
  readonly firstPacketSeconds: number | undefined;
  /** Seconds, from the last packet's pts plus its duration. */
  readonly endSeconds: number | undefined;
  readonly packets: number;
}

export interface ProbedFile {
  readonly formatName: string;
  /** The container's declared duration in seconds, when it has one. */
  readonly durationSeconds: number | undefined;
  readonly streams: readonly ProbedStream[];
}

interface FfprobeOutput {
  format?: { format_name?: string; duration?: string };
  streams?: {
    index: number;
    codec_type: string;
    codec_name: string;
    width?: number;
    height?: number;
    channels?: number;
  }[];
  packets?: { stream_index: number; pts_time?: string; duration_time?: string }[];
}

export async function probe(path: string): Promise<ProbedFile> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-show_format', '-show_streams', '-show_packets', '-of', 'json', path],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const output = JSON.parse(stdout) as FfprobeOutput;
  const streams = (output.streams ?? []).map((stream) => {
    const packets = (output.packets ?? []).filter((packet) => packet.stream_index === stream.index);
    const times = packets
      .map((packet) => Number(packet.pts_time))
      .filter((time) => Number.isFinite(time));
    const last = packets[packets.length - 1];
    const lastEnd = last ? Number(last.pts_time) + Number(last.duration_time ?? 0) : undefined;
    return {
      codecType: stream.codec_type as 'audio' | 'video',
      codecName: stream.codec_name,
      ...(stream.width !== undefined ? { width: stream.width } : {}),
      ...(stream.height !== undefined ? { height: stream.height } : {}),
      ...(stream.channels !== undefined ? { channels: stream.channels } : {}),
      firstPacketSeconds: times.length > 0 ? Math.min(...times) : undefined,
      endSeconds: lastEnd !== undefined && Number.isFinite(lastEnd) ? lastEnd : undefined,
      packets: packets.length,
    };
  });
  const duration = Number(output.format?.duration);
  return {
    formatName: output.format?.format_name ?? '',
    durationSeconds: Number.isFinite(duration) ? duration : undefined,
    streams,
  };
}

/** What `ffmpeg -v error -i file -f null -` prints: empty when every frame decodes cleanly. */
export async function decodeErrors(path: string): Promise<string> {
  const { stdout, stderr } = await run('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-'], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return `${stdout}${stderr}`.trim();
}

/** Seconds of media ffmpeg decodes from the file (the last decoded timestamp). */
export async function decodedSeconds(path: string): Promise<number> {
  const { stderr } = await run('ffmpeg', ['-v', 'info', '-i', path, '-f', 'null', '-'], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const times = [...stderr.matchAll(/time=(\d+):(\d+):(\d+(?:\.\d+)?)/g)].map(
    (match) => Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]),
  );
  return times.length > 0 ? Math.max(...times) : 0;
}

export interface TestMediaOptions {
  readonly video?: 'vp8' | 'vp9' | 'h264';
  readonly audio?: boolean;
  readonly seconds: number;
  /** Frames between key frames (at 30 fps). */
  readonly keyframeInterval?: number;
}

/** Writes a test pattern with a tone, encoded as a browser would (no B-frames, no lookahead). */
export async function makeTestMedia(path: string, options: TestMediaOptions): Promise<void> {
  const args = ['-v', 'error', '-y'];
  if (options.video) args.push('-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30');
  if (options.audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-t', String(options.seconds));
  const gop = String(options.keyframeInterval ?? 30);
  if (options.video === 'vp8') args.push('-c:v', 'libvpx', '-b:v', '300k', '-g', gop);
  if (options.video === 'vp9') {
    args.push('-c:v', 'libvpx-vp9', '-b:v', '300k', '-g', gop, '-deadline', 'realtime');
    args.push('-lag-in-frames', '0');
  }
  if (options.video === 'h264') {
    args.push('-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-profile:v', 'baseline', '-bf', '0');
    args.push('-g', gop);
  }
  if (options.audio) args.push('-c:a', 'libopus', '-b:a', '48k');
  args.push(path);
  await run('ffmpeg', args);
}

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

/**
 * What `ffmpeg -v error -i file -f null -` prints while decoding every frame: empty when the file
 * decodes cleanly. `-enc_time_base -1` keeps the demuxer's time base for the null output: with
 * the default (1/guessed frame rate), ffmpeg's null muxer reports "non monotonically increasing
 * dts" whenever two frames of variable-frame-rate video (every browser's camera, jittering
 * under load) round to the same tick. That is about ffmpeg's output clock, not the file: it
 * shows as much for Chrome's own MediaRecorder WebM recorded on the same machine.
 */
export async function decodeErrors(path: string): Promise<string> {
  const { stdout, stderr } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', path, '-enc_time_base', '-1', '-f', 'null', '-'],
    { maxBuffer: 16 * 1024 * 1024 },
  );
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
  /** H.264 profile: browsers negotiate constrained baseline. Default baseline. */
  readonly h264Profile?: 'baseline' | 'high';
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
    const profile = options.h264Profile ?? 'baseline';
    args.push('-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-profile:v', profile, '-bf', '0');
    args.push('-g', gop);
  }
  if (options.audio) args.push('-c:a', 'libopus', '-b:a', '48k');
  if (path.endsWith('.mp4')) args.push('-strict', '-2'); // Opus in MP4 is "experimental" in ffmpeg 5
  args.push(path);
  await run('ffmpeg', args);
}

/** Per-frame values ffmpeg's `metadata=print` writes: `pts_time:...` then `key=value`. */
async function frameMetadata(
  path: string,
  args: readonly string[],
): Promise<{ time: number; value: number }[]> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, ...args, '-f', 'null', '-'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const values: { time: number; value: number }[] = [];
  let time = Number.NaN;
  for (const line of stdout.split('\n')) {
    const pts = /pts_time:(-?[\d.]+)/.exec(line);
    if (pts) time = Number(pts[1]);
    const value = /=(-?[\d.]+|-inf)$/.exec(line.trim());
    if (value && Number.isFinite(time)) {
      values.push({ time, value: value[1] === '-inf' ? -200 : Number(value[1]) });
    }
  }
  return values;
}

/** Times (s) at which the video turns bright after being dark (the `flash` source's flashes). */
export async function flashTimes(path: string): Promise<number[]> {
  const frames = await frameMetadata(path, [
    '-an',
    '-vf',
    'signalstats,metadata=mode=print:key=lavfi.signalstats.YAVG:file=-',
  ]);
  return onsets(frames, (value) => value > 128);
}

/** Times (s) at which the audio turns loud after being silent (the `flash` source's beeps). */
export async function beepTimes(path: string): Promise<number[]> {
  const frames = await frameMetadata(path, [
    '-vn',
    '-af',
    'asetnsamples=n=240,astats=metadata=1:reset=1,ametadata=mode=print:key=lavfi.astats.Overall.RMS_level:file=-',
  ]);
  return onsets(frames, (value) => value > -30);
}

function onsets(
  frames: readonly { time: number; value: number }[],
  isOn: (value: number) => boolean,
): number[] {
  const times: number[] = [];
  let wasOn = true; // an event already under way when the file starts is not an onset
  for (const frame of frames) {
    const on = isOn(frame.value);
    if (on && !wasOn) times.push(frame.time);
    wasOn = on;
  }
  return times;
}

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ProbedStream {
  codec_type: 'video' | 'audio' | string;
  codec_name: string;
  start_time?: string;
  width?: number;
  height?: number;
}

export interface ProbeResult {
  streams: ProbedStream[];
  format: { duration?: string; format_name: string };
}

/** What ffprobe reads of a media file: its streams and container. */
export async function probe(file: string): Promise<ProbeResult> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-show_streams',
    '-show_format',
    '-of',
    'json',
    file,
  ]);
  return JSON.parse(stdout) as ProbeResult;
}

/**
 * Decodes every frame of the file; returns what ffmpeg reported as errors (empty when clean).
 * `-enc_time_base -1` keeps the demuxer's time base on the (null) output side: otherwise ffmpeg
 * rounds variable-frame-rate video to a guessed frame rate and its null muxer complains about two
 * frames landing on one tick, which is not a decoding error (Chromium's own MediaRecorder files
 * of the same camera print more of those).
 */
export async function decodeErrors(file: string): Promise<string> {
  const { stderr } = await run('ffmpeg', [
    '-v',
    'error',
    '-i',
    file,
    '-enc_time_base',
    '-1',
    '-f',
    'null',
    '-',
  ]);
  return stderr.trim();
}

export function streamOf(result: ProbeResult, type: 'video' | 'audio'): ProbedStream | undefined {
  return result.streams.find((stream) => stream.codec_type === type);
}

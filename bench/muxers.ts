// Medley's hand-written WebM and MP4 muxers and demuxers beside mediabunny's (pure TypeScript),
// fed the same real frames in the same run (issue 16, item 4).
//
//   npx tsx bench/muxers.ts [--repetitions 7]      (no network; about 5 min)
//
// Frames: ffmpeg encodes a 640x480 30 fps test pattern and a tone (VP8 + Opus, H.264 + Opus; a
// key frame every 2 s as the recorder asks for) and the frames are read back out, so each muxer
// gets the same bytes and times (see support/clipFrames.ts). Each muxer writes through the
// recorder's RecordingFile (support/muxerCandidates.ts).
//
// 1. Mux: CPU (process.cpuUsage, user + system, the whole process) per second of media, from the
//    first frame to the closed file; candidates take turns within each repetition; median over
//    the repetitions after one warm-up. Memory (a separate pass): "media held", the most frame
//    bytes fed and not yet handed to the file (what a crash at that moment loses; ≈, container
//    overhead counts against it), and "heap+buffers", the most the heap and array buffers hold
//    above the start, read after a forced GC every second of media (coarse: V8's own variation is
//    a few hundred KB). Size and count of writes of the finished file. Validity: ffprobe's codecs and duration (within one
//    frame of the media fed) and ffmpeg decoding the whole file without an error.
// 2. Demux: the same for reading every frame back (open, all frames from 0, then a seek to 10 s
//    and one second from there), Medley's demuxers against mediabunny's Input behind the player's
//    Demuxer interface (support/mediabunnyDemuxer.ts), on ffmpeg's file and on each muxer's.
// 3. Crash: a child process feeds a muxer in real time and is killed with SIGKILL once it has
//    handed over 4.0, 4.5, 5.0 and 5.5 s of media (key frames every 2 s: every phase of a GOP);
//    what ffmpeg decodes of the cut file, checked as test/recorder-crash.test.ts checks it.
// 4. A silent track: video stops for 5 s (a muted camera) while audio goes on; what reaches the
//    file meanwhile.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FileByteSource } from '../packages/media-server/src/playback/ByteSource.js';
import type { Demuxer } from '../packages/media-server/src/playback/DemuxedMedia.js';
import { openDemuxer } from '../packages/media-server/src/playback/openDemuxer.js';
import { Interleaver } from '../packages/media-server/src/recording/Interleaver.js';
import {
  decodedSeconds,
  decodeErrors,
  probe,
} from '../packages/media-server/test/support/mediaFiles.js';
import { type ClipCodec, type Feed, FRAME_RATE, loadFeed, makeClip } from './support/clipFrames.js';
import { MediabunnyDemuxer } from './support/mediabunnyDemuxer.js';
import {
  type Container,
  type FeedFrame,
  type MuxCandidate,
  mediabunnyCandidate,
  medleyCandidate,
} from './support/muxerCandidates.js';
import { machineContext, writeResults } from './support/results.js';
import { summarize } from './support/statistics.js';
import { printTable } from './support/table.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

const REPETITIONS = numberArgument('--repetitions', 7);
const CLIP_SECONDS = 20;
const CRASH_CLIP_SECONDS = 8;
const KILL_AT_MS = [4000, 4500, 5000, 5500];
const FRAME_MS = 1000 / FRAME_RATE;
const SEEK_MS = 10_000;
const FORMATS: readonly { container: Container; codec: ClipCodec; codecs: string[] }[] = [
  { container: 'webm', codec: 'vp8', codecs: ['opus', 'vp8'] },
  { container: 'mp4', codec: 'h264', codecs: ['h264', 'opus'] },
];
const childPath = new URL('./support/muxerCrashChild.ts', import.meta.url).pathname;

function candidatesFor(container: Container): MuxCandidate[] {
  const candidates = [medleyCandidate(container), mediabunnyCandidate(container)];
  if (container !== 'mp4') candidates.push(mediabunnyCandidate(container, { appendOnly: true }));
  return candidates;
}

const workDirectory = await mkdtemp(join(tmpdir(), 'medley-bench-muxers-'));

interface Validity {
  readonly codecs: string;
  readonly durationSeconds: number | undefined;
  readonly durationOffByMs: number | undefined;
  readonly decodeErrors: string;
  readonly valid: boolean;
}

async function validity(path: string, feed: Feed, expectedCodecs: string[]): Promise<Validity> {
  const file = await probe(path);
  const codecs = file.streams.map((stream) => stream.codecName).sort();
  const errors = await decodeErrors(path);
  const offBy =
    file.durationSeconds === undefined ? undefined : file.durationSeconds * 1000 - feed.mediaMs;
  return {
    codecs: codecs.join('+'),
    durationSeconds: file.durationSeconds,
    durationOffByMs: offBy,
    decodeErrors: errors,
    valid:
      codecs.join() === expectedCodecs.join() &&
      errors === '' &&
      offBy !== undefined &&
      Math.abs(offBy) <= FRAME_MS,
  };
}

async function muxOnce(
  candidate: MuxCandidate,
  feed: Feed,
  path: string,
  observe?: { onSecond(): void; onHeld(bytes: number): void },
): Promise<{ cpuMs: number; writes: number }> {
  const before = process.cpuUsage();
  const session = await candidate.start(path, feed.tracks);
  let nextSecondMs = 1000;
  let fedBytes = 0;
  for (const frame of feed.frames) {
    const pending = session.write(frame);
    if (pending) await pending;
    if (!observe) continue;
    fedBytes += frame.data.length;
    observe.onHeld(fedBytes - session.bytes);
    if (frame.timeMs >= nextSecondMs) {
      nextSecondMs += 1000;
      observe.onSecond();
    }
  }
  await session.finish();
  const used = process.cpuUsage(before);
  return { cpuMs: (used.user + used.system) / 1000, writes: session.writes };
}

/** The most the heap and array buffers hold above where they started, read after a GC. */
async function peakRetainedBytes(run: (sample: () => void) => Promise<unknown>): Promise<number> {
  const held = () => {
    collectGarbage();
    const usage = process.memoryUsage();
    return usage.heapUsed + usage.arrayBuffers;
  };
  const start = held();
  let peak = 0;
  await run(() => {
    peak = Math.max(peak, held() - start);
  });
  return peak;
}

async function measureMux(format: (typeof FORMATS)[number], feed: Feed, label: string) {
  const candidates = candidatesFor(format.container);
  const cpu = new Map<string, number[]>(candidates.map((candidate) => [candidate.name, []]));
  const writes = new Map<string, number>();
  const files = new Map<string, string>();
  for (let round = 0; round <= REPETITIONS; round++) {
    for (const candidate of candidates) {
      const path = join(
        workDirectory,
        `${label}-${candidate.name.replace(' ', '-')}-${round}.${format.container}`,
      );
      const result = await muxOnce(candidate, feed, path);
      writes.set(candidate.name, result.writes);
      if (round === 0) {
        files.set(candidate.name, path); // the warm-up's file is kept for the checks
        continue;
      }
      cpu.get(candidate.name)?.push(result.cpuMs / (feed.mediaMs / 1000));
      await rm(path);
    }
  }
  const rows = [];
  for (const candidate of candidates) {
    const path = files.get(candidate.name) as string;
    const memoryPath = `${path}.memory`;
    let mostHeld = 0;
    const memory = await peakRetainedBytes((sample) =>
      muxOnce(candidate, feed, memoryPath, {
        onSecond: sample,
        onHeld: (bytes) => {
          mostHeld = Math.max(mostHeld, bytes);
        },
      }),
    );
    await rm(memoryPath);
    rows.push({
      muxer: candidate.name,
      cpuMsPerMediaSecond: summarize(cpu.get(candidate.name) ?? []),
      peakRetainedBytes: memory,
      mostMediaHeldBytes: mostHeld,
      bytes: (await stat(path)).size,
      writes: writes.get(candidate.name),
      validity: await validity(path, feed, format.codecs),
      path,
    });
  }
  return rows;
}

interface DemuxCandidate {
  readonly name: string;
  open(source: FileByteSource): Promise<Demuxer>;
}

const DEMUXERS: readonly DemuxCandidate[] = [
  { name: 'medley', open: (source) => openDemuxer(source) },
  { name: 'mediabunny', open: (source) => MediabunnyDemuxer.open(source) },
];

async function demuxOnce(demuxer: DemuxCandidate, path: string, onSecond?: () => void) {
  const before = process.cpuUsage();
  const opened = await demuxer.open(await FileByteSource.open(path));
  let frames = 0;
  let bytes = 0;
  let lastMs = 0;
  let nextSecondMs = 1000;
  for await (const frame of opened.frames(0)) {
    frames++;
    bytes += frame.data.length;
    lastMs = Math.max(lastMs, frame.timeMs);
    if (onSecond && frame.timeMs >= nextSecondMs) {
      nextSecondMs += 1000;
      onSecond();
    }
  }
  let seekLandedMs: number | undefined;
  for await (const frame of opened.frames(SEEK_MS)) {
    seekLandedMs ??= frame.timeMs;
    if (frame.timeMs >= (seekLandedMs ?? 0) + 1000) break;
  }
  const durationMs = opened.durationMs;
  await opened.close();
  const used = process.cpuUsage(before);
  return {
    cpuMs: (used.user + used.system) / 1000,
    frames,
    bytes,
    lastMs,
    seekLandedMs,
    durationMs,
  };
}

async function measureDemux(inputs: readonly { label: string; path: string }[], feed: Feed) {
  const rows = [];
  for (const input of inputs) {
    const cpu = new Map<string, number[]>(DEMUXERS.map((demuxer) => [demuxer.name, []]));
    const last = new Map<string, Awaited<ReturnType<typeof demuxOnce>>>();
    for (let round = 0; round <= REPETITIONS; round++) {
      for (const demuxer of DEMUXERS) {
        const result = await demuxOnce(demuxer, input.path);
        last.set(demuxer.name, result);
        if (round > 0) cpu.get(demuxer.name)?.push(result.cpuMs / (feed.mediaMs / 1000));
      }
    }
    for (const demuxer of DEMUXERS) {
      const memory = await peakRetainedBytes((sample) => demuxOnce(demuxer, input.path, sample));
      const result = last.get(demuxer.name) as Awaited<ReturnType<typeof demuxOnce>>;
      rows.push({
        input: input.label,
        demuxer: demuxer.name,
        cpuMsPerMediaSecond: summarize(cpu.get(demuxer.name) ?? []),
        peakRetainedBytes: memory,
        frames: result.frames,
        framesFed: feed.frames.length,
        bytesMatch: result.bytes === feed.bytes,
        durationMs: result.durationMs,
        seekLandedMs: result.seekLandedMs,
      });
    }
  }
  return rows;
}

/** Feeds a child's muxer in real time, SIGKILLs it after `killAtMs` of media, checks the file. */
async function crashOnce(name: string, container: Container, clip: string, killAtMs: number) {
  const output = join(workDirectory, `crash-${name.replace(' ', '-')}-${killAtMs}.${container}`);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', childPath, name, container, clip, output],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  let fedMs = 0;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const lines = stdout.trimEnd().split('\n');
    const last = /^fed ([\d.]+)$/.exec(lines[lines.length - 1] ?? '');
    if (last && Number(last[1]) >= killAtMs) child.kill('SIGKILL');
  });
  await new Promise((resolve) => child.once('close', resolve));
  for (const match of stdout.matchAll(/^fed ([\d.]+)$/gm))
    fedMs = Math.max(fedMs, Number(match[1]));
  if (stdout.includes('finished') || fedMs < killAtMs) {
    throw new Error(`the ${name} child was not killed mid-recording: ${stderr}`);
  }
  let decodedMs = 0;
  let errors = '';
  let codecs = '';
  try {
    codecs = (await probe(output)).streams
      .map((stream) => stream.codecName)
      .sort()
      .join('+');
    errors = await decodeErrors(output);
    decodedMs = (await decodedSeconds(output)) * 1000;
  } catch (error) {
    errors = String(error).slice(0, 300);
  }
  const readable: Record<string, number | string> = {};
  for (const demuxer of DEMUXERS) {
    try {
      readable[demuxer.name] = (await demuxOnce(demuxer, output)).lastMs;
    } catch (error) {
      readable[demuxer.name] = String(error).slice(0, 120);
    }
  }
  return {
    muxer: name,
    killAtMs,
    fedMs,
    decodedMs,
    lostMs: fedMs - decodedMs,
    codecs,
    errors,
    readable,
  };
}

/**
 * Video stops for 5 s (a muted camera) while audio goes on. Medley's recorder puts its
 * Interleaver (500 ms at most) in front of its muxer; mediabunny's muxers interleave by
 * themselves, waiting for a packet of every open track.
 */
async function silentTrack(container: Container, feed: Feed) {
  const silentFromMs = 3000;
  const silentUntilMs = 8000;
  const frames = feed.frames.filter(
    (frame) =>
      frame.timeMs < silentUntilMs && (frame.kind === 'audio' || frame.timeMs < silentFromMs),
  );
  const fedBytes = frames.reduce((sum, frame) => sum + frame.data.length, 0);
  const rows = [];
  for (const candidate of candidatesFor(container)) {
    const path = join(workDirectory, `silent-${candidate.name.replace(' ', '-')}.${container}`);
    const session = await candidate.start(path, feed.tracks);
    const interleaver =
      candidate.name === 'medley'
        ? new Interleaver(
            feed.tracks.map((track) => track.kind),
            500,
          )
        : undefined;
    for (const frame of frames) {
      const ready = interleaver ? (interleaver.push(frame) as FeedFrame[]) : [frame];
      for (const each of ready) {
        const pending = session.write(each);
        if (pending) await pending;
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
    rows.push({ muxer: candidate.name, fedBytes, bytesHandedToFile: session.bytes });
    await session.finish();
  }
  return rows;
}

function numberArgument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const ms = (value: number | undefined) => (value === undefined ? '—' : value.toFixed(1));

try {
  const figures: Record<string, unknown> = { repetitions: REPETITIONS };
  for (const format of FORMATS) {
    const clip = join(workDirectory, `clip.${format.container}`);
    await makeClip(clip, format.codec, CLIP_SECONDS);
    const feed = await loadFeed(clip);
    console.log(
      `\n${format.container.toUpperCase()}: ${format.codec.toUpperCase()} 640x480 30 fps ~800 kb/s + Opus 32 kb/s, ${(feed.mediaMs / 1000).toFixed(2)} s, ${feed.frames.length} frames, ${kb(feed.bytes)}`,
    );
    const mux = await measureMux(format, feed, 'mux');
    console.log(`1. mux, CPU ms per second of media, median of ${REPETITIONS} (min–max):`);
    printTable(
      [
        'muxer',
        'CPU median',
        'min–max',
        'media held',
        'heap+buffers',
        'file',
        'writes',
        'duration vs fed',
        'valid',
      ],
      mux.map((row) => [
        row.muxer,
        row.cpuMsPerMediaSecond.median.toFixed(2),
        `${row.cpuMsPerMediaSecond.min.toFixed(2)}–${row.cpuMsPerMediaSecond.max.toFixed(2)}`,
        kb(row.mostMediaHeldBytes),
        kb(row.peakRetainedBytes),
        kb(row.bytes),
        String(row.writes),
        row.validity.durationOffByMs === undefined
          ? 'no duration'
          : `${row.validity.durationOffByMs.toFixed(1)} ms`,
        row.validity.valid ? 'yes' : `NO ${row.validity.codecs} ${row.validity.decodeErrors}`,
      ]),
    );
    const demux = await measureDemux(
      [
        { label: 'ffmpeg', path: clip },
        ...mux.map((row) => ({ label: row.muxer, path: row.path })),
      ],
      feed,
    );
    console.log(
      `2. demux (open, every frame, seek to ${SEEK_MS / 1000} s + 1 s), CPU ms per second of media:`,
    );
    printTable(
      [
        'file from',
        'demuxer',
        'CPU median',
        'min–max',
        'peak held',
        'frames',
        'bytes =',
        'duration',
        'seek lands',
      ],
      demux.map((row) => [
        row.input,
        row.demuxer,
        row.cpuMsPerMediaSecond.median.toFixed(2),
        `${row.cpuMsPerMediaSecond.min.toFixed(2)}–${row.cpuMsPerMediaSecond.max.toFixed(2)}`,
        kb(row.peakRetainedBytes),
        `${row.frames}/${row.framesFed}`,
        row.bytesMatch ? 'yes' : 'no',
        ms(row.durationMs),
        ms(row.seekLandedMs),
      ]),
    );
    const crashClip = join(workDirectory, `crash-clip.${format.container}`);
    await makeClip(crashClip, format.codec, CRASH_CLIP_SECONDS);
    const crash = [];
    for (const candidate of candidatesFor(format.container)) {
      for (const killAtMs of KILL_AT_MS) {
        crash.push(await crashOnce(candidate.name, format.container, crashClip, killAtMs));
      }
    }
    console.log('3. SIGKILL mid-recording (real-time feed), what ffmpeg decodes of the cut file:');
    printTable(
      [
        'muxer',
        'fed ms',
        'decoded ms',
        'lost ms',
        'streams',
        'medley reads',
        'mediabunny reads',
        'decode errors',
      ],
      crash.map((row) => [
        row.muxer,
        row.fedMs.toFixed(0),
        row.decodedMs.toFixed(0),
        row.lostMs.toFixed(0),
        row.codecs || '—',
        typeof row.readable.medley === 'number' ? row.readable.medley.toFixed(0) : 'error',
        typeof row.readable.mediabunny === 'number' ? row.readable.mediabunny.toFixed(0) : 'error',
        row.errors ? (row.errors.split('\n')[0]?.slice(0, 60) ?? '') : 'none',
      ]),
    );
    const silent = await silentTrack(format.container, feed);
    console.log('4. video silent from 3 s to 8 s, audio on: bytes handed to the file by 8 s');
    printTable(
      ['muxer', 'fed', 'handed to the file'],
      silent.map((row) => [row.muxer, kb(row.fedBytes), kb(row.bytesHandedToFile)]),
    );
    figures[format.container] = {
      feed: { frames: feed.frames.length, mediaMs: feed.mediaMs, bytes: feed.bytes },
      mux: mux.map(({ path: _path, ...row }) => row),
      demux,
      crash,
      silentTrack: silent,
    };
  }
  const path = await writeResults('muxers', { ...machineContext(), ...figures });
  console.log(`\nresults: ${path}`);
} finally {
  await rm(workDirectory, { recursive: true, force: true });
}

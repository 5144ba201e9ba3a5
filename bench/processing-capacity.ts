// How many simultaneous transcodes this machine holds before frames drop, and what the server
// does past that.
//
//   scripts/isolated.sh npx tsx bench/processing-capacity.ts [--step 2] [--max 40]
//
// The server runs as its CLI in a child process with its default admission limit (--max-load
// 0.85). Each stream: a PlayerEndpoint playing a 640x480 30 fps clip, linked to a WebRtcEndpoint
// whose peer (werift, in this process; it counts RTP frames and decodes nothing) negotiated only
// the other codec, so every stream has its own transcoder. Streams are added `--step` at a time
// to the running set; after each step the frames each viewer received per second are measured
// over a window. The ramp stops when the server refuses an endpoint (40009) or frames drop.
// Baseline, same run: the same ramp with viewers of the clip's own codec (plain forwarding).
import { type ChildProcess, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import {
  connect,
  type MediaClient,
  type MediaPipeline,
  MediaServerError,
} from '../packages/media-client/src/index.js';
import { startCliServer } from './support/cliServer.js';
import { FrameCountingViewer, type ViewerCodec } from './support/frameCountingViewer.js';
import { measureRampWindow, type RampWindow } from './support/rampWindow.js';
import { machineContext, writeResults } from './support/results.js';
import { printTable } from './support/table.js';

const run = promisify(execFile);
const step = numberArgument('--step', 2);
const maxStreams = numberArgument('--max', 40);
const CLIP_SECONDS = 60;
const WARM_UP_MS = 3000;
const WINDOW_MS = 5000;
const FPS = 30;
/** Below this many frames per second at any viewer, the machine no longer keeps up. */
const DROP_FPS = 27;

type Codec = ViewerCodec;

interface Ramp {
  readonly clip: Codec;
  readonly viewer: Codec;
}
const RAMPS: readonly Ramp[] = [
  { clip: 'VP8', viewer: 'VP8' },
  { clip: 'VP8', viewer: 'H264' },
  { clip: 'H264', viewer: 'H264' },
  { clip: 'H264', viewer: 'VP8' },
];

interface Level extends RampWindow {
  readonly streams: number;
}

interface RampResult {
  readonly clip: Codec;
  readonly viewer: Codec;
  readonly levels: Level[];
  /** The stream count whose set-up the server refused, and what it said. */
  refusedAt?: { readonly streams: number; readonly code: number; readonly message: string };
  /** The first stream count at which some viewer got fewer than DROP_FPS frames per second. */
  framesDropAt?: number;
}

/** A viewer (a frame-counting werift peer) of its own PlayerEndpoint playing `source`. */
class Viewer {
  private constructor(private readonly counter: FrameCountingViewer) {}

  get frames(): number {
    return this.counter.frames;
  }

  static async open(pipeline: MediaPipeline, codec: Codec, source: string): Promise<Viewer> {
    const endpoint = await pipeline.create('WebRtcEndpoint');
    const counter = await FrameCountingViewer.open(endpoint, codec);
    const player = await pipeline.create('PlayerEndpoint', { uri: source });
    await player.connect(endpoint, 'VIDEO');
    // A ramp outlasts the clip: each player starts over at its end, as a live source would go on.
    await player.on('EndOfStream', () => void player.play());
    await player.play();
    return new Viewer(counter);
  }

  close(): Promise<void> {
    return this.counter.close();
  }
}

async function main(): Promise<void> {
  const workDirectory = await mkdtemp(join(tmpdir(), 'medley-bench-capacity-'));
  const results: RampResult[] = [];
  let server: ChildProcess | undefined;
  try {
    await makeClips(workDirectory);
    const started = await startCliServer(workDirectory);
    server = started.child;
    const client = await connect(started.url);
    for (const ramp of RAMPS) {
      results.push(await runRamp(client, started.child.pid as number, workDirectory, ramp));
      await sleep(6000); // the admission window forgets the last ramp's load
    }
    await client.close();
  } finally {
    server?.kill('SIGTERM');
    await rm(workDirectory, { recursive: true, force: true });
  }
  for (const result of results) {
    console.log(`\n${result.clip} clip → ${result.viewer} viewers`);
    printTable(
      [
        'streams',
        'fps median',
        'fps min',
        'server Node (cores)',
        'stage processes',
        'stages (cores)',
        'machine busy',
      ],
      result.levels.map((level) => [
        String(level.streams),
        level.medianFps.toFixed(1),
        level.minFps.toFixed(1),
        level.serverNodeCpu.toFixed(2),
        String(level.stages),
        level.stagesCpu.toFixed(2),
        `${level.machineBusyPercent.toFixed(0)} %`,
      ]),
    );
    console.log(
      `frames drop at: ${result.framesDropAt ?? 'not reached'}; refused at: ${
        result.refusedAt
          ? `${result.refusedAt.streams} (${result.refusedAt.code} ${result.refusedAt.message})`
          : 'not reached'
      }`,
    );
  }
  const file = await writeResults('processing-capacity', {
    machine: machineContext(),
    step,
    windowMs: WINDOW_MS,
    dropFps: DROP_FPS,
    ramps: results,
  });
  console.log(`\nresults: ${file}`);
}

async function runRamp(
  client: MediaClient,
  serverPid: number,
  workDirectory: string,
  ramp: Ramp,
): Promise<RampResult> {
  const source = `file://${join(workDirectory, ramp.clip === 'VP8' ? 'clip.webm' : 'clip.mp4')}`;
  const pipeline = await client.create('MediaPipeline');
  const viewers: Viewer[] = [];
  const result: RampResult = { clip: ramp.clip, viewer: ramp.viewer, levels: [] };
  try {
    while (viewers.length < maxStreams) {
      try {
        for (let added = 0; added < step; added++)
          viewers.push(await Viewer.open(pipeline, ramp.viewer, source));
      } catch (error) {
        if (!(error instanceof MediaServerError)) throw error;
        result.refusedAt = {
          streams: viewers.length + 1,
          code: error.kurentoCode,
          message: error.message,
        };
        break;
      }
      const level = await measure(viewers, serverPid);
      result.levels.push(level);
      console.log(
        `${ramp.clip} → ${ramp.viewer}: ${level.streams} streams, fps median ${level.medianFps.toFixed(1)} min ${level.minFps.toFixed(1)}, machine ${level.machineBusyPercent.toFixed(0)} % busy`,
      );
      if (level.minFps < DROP_FPS) {
        result.framesDropAt ??= level.streams;
        if (level.medianFps < DROP_FPS) break;
      }
    }
  } finally {
    await pipeline.release();
    await Promise.all(viewers.map((viewer) => viewer.close()));
  }
  return result;
}

async function measure(viewers: readonly Viewer[], serverPid: number): Promise<Level> {
  return {
    streams: viewers.length,
    ...(await measureRampWindow(viewers, serverPid, WARM_UP_MS, WINDOW_MS)),
  };
}

async function makeClips(directory: string): Promise<void> {
  const encode = (codec: string, file: string) =>
    run('ffmpeg', [
      ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=640x480:rate=${FPS}`],
      ...['-t', `${CLIP_SECONDS}`, '-g', `${2 * FPS}`, '-b:v', '1M', ...codec.split(' ')],
      join(directory, file),
    ]);
  await encode('-c:v libvpx -deadline realtime -cpu-used 8', 'clip.webm');
  await encode(
    '-c:v libx264 -profile:v baseline -preset ultrafast -tune zerolatency -pix_fmt yuv420p',
    'clip.mp4',
  );
}

function numberArgument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} takes a positive integer`);
  return value;
}

console.log(`${availableParallelism()} cores; step ${step}, up to ${maxStreams} streams per ramp`);
await main();

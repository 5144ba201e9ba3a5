// How many participants one Composite (MCU) holds on this machine, and what admission control
// does past that: the participant too many is refused with 40009 and the others keep their mix.
//
//   scripts/isolated.sh npx tsx bench/composite-capacity.ts [--max 16]
//
// The server runs as its CLI in a child process with its default admission limit (--max-load
// 0.85). Each participant: a PlayerEndpoint playing a 640x480 30 fps VP8 clip with a tone into a
// HubPort of one Composite (640x480, 15 fps), and the port's mix out through a WebRtcEndpoint to a
// werift viewer in this process that counts the frames it receives (it decodes nothing).
// Participants are added one at a time; after each, the mix frames per second at every viewer are
// measured over a window, with the CPU of the server's Node process and of its stage processes.
// The ramp stops at the first refusal (then one more window measures the others after it), when
// the mix falls below half its frame rate at the median viewer, or at --max; where it first falls
// below 90 % is noted (admission should refuse before that).
// Baseline, same run: the same players forwarded straight to as many viewers (no mixing), so
// the mix's own cost is the difference.
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import {
  type Composite,
  connect,
  type MediaClient,
  type MediaElement,
  type MediaPipeline,
  MediaServerError,
  type PlayerEndpoint,
} from '../packages/media-client/src/index.js';
import { startCliServer } from './support/cliServer.js';
import { FrameCountingViewer } from './support/frameCountingViewer.js';
import { measureRampWindow, type RampWindow } from './support/rampWindow.js';
import { machineContext, writeResults } from './support/results.js';
import { printTable } from './support/table.js';

const run = promisify(execFile);
const maxParticipants = numberArgument('--max', 16);
const MIX = { width: 640, height: 480, framerate: 15 } as const;
const CLIP_SECONDS = 60;
const WARM_UP_MS = 3000;
const WINDOW_MS = 5000;

/** One window of the ramp; `medianFps`/`minFps` are the mix's frames at the viewers. */
interface Level extends RampWindow {
  readonly participants: number;
}

interface Participant {
  readonly player: PlayerEndpoint;
  readonly viewer: FrameCountingViewer;
}

async function main(): Promise<void> {
  const workDirectory = await mkdtemp(join(tmpdir(), 'medley-bench-composite-capacity-'));
  let server: ChildProcess | undefined;
  try {
    const clip = await makeClip(workDirectory);
    const started = await startCliServer(workDirectory);
    server = started.child;
    const serverPid = started.child.pid as number;
    const client = await connect(started.url);
    const mixed = await rampComposite(client, serverPid, clip);
    await sleep(6000); // the admission window forgets the ramp's load
    const forwarded = await forwardingBaseline(client, serverPid, clip, mixed.levels.length);
    await client.close();
    report(mixed, forwarded);
    const file = await writeResults('composite-capacity', {
      machine: machineContext(),
      mix: MIX,
      windowMs: WINDOW_MS,
      ...mixed,
      forwardingBaseline: forwarded,
    });
    console.log(`\nresults: ${file}`);
  } finally {
    server?.kill('SIGTERM');
    await rm(workDirectory, { recursive: true, force: true });
  }
}

interface CompositeRamp {
  levels: Level[];
  refusedAt?: { participants: number; code: number; message: string };
  /** The others, measured in the window after the refusal. */
  afterRefusal?: Level;
  /** The participant whose set-up failed other than by a refusal (a viewer that never connected). */
  setUpFailedAt?: { participants: number; message: string };
  /** The first participant count at which the median viewer got < 90 % of the mix's rate. */
  framesDropAt?: number;
}

async function rampComposite(
  client: MediaClient,
  serverPid: number,
  clip: string,
): Promise<CompositeRamp> {
  const pipeline = await client.create('MediaPipeline');
  const composite = await pipeline.create('Composite', MIX);
  const participants: Participant[] = [];
  const ramp: CompositeRamp = { levels: [] };
  try {
    while (participants.length < maxParticipants) {
      try {
        participants.push(await addParticipant(pipeline, composite, clip));
      } catch (error) {
        if (!(error instanceof MediaServerError)) {
          // A viewer that cannot even connect: the machine is past saturation, not refusing.
          ramp.setUpFailedAt = {
            participants: participants.length + 1,
            message: error instanceof Error ? error.message : String(error),
          };
          break;
        }
        ramp.refusedAt = {
          participants: participants.length + 1,
          code: error.kurentoCode,
          message: error.message,
        };
        ramp.afterRefusal = await measure(participants, serverPid);
        break;
      }
      const level = await measure(participants, serverPid);
      ramp.levels.push(level);
      console.log(
        `composite: ${level.participants} participants, mix fps median ${level.medianFps.toFixed(1)} min ${level.minFps.toFixed(1)}, stages ${level.stagesCpu.toFixed(2)} cores, machine ${level.machineBusyPercent.toFixed(0)} % busy`,
      );
      if (level.medianFps < 0.9 * MIX.framerate) ramp.framesDropAt ??= level.participants;
      // Admission should have refused long before: there is nothing left to learn.
      if (level.medianFps < 0.5 * MIX.framerate) break;
    }
  } finally {
    await pipeline.release();
    await Promise.all(participants.map(({ viewer }) => viewer.close()));
  }
  return ramp;
}

/** A player into a new HubPort, and the port's mix to a viewer. */
async function addParticipant(
  pipeline: MediaPipeline,
  composite: Composite,
  clip: string,
): Promise<Participant> {
  const player = await startPlayer(pipeline, clip);
  const port = await pipeline.create('HubPort', { hub: composite });
  await player.connect(port);
  const endpoint = await pipeline.create('WebRtcEndpoint', { sendonly: true });
  await port.connect(endpoint);
  return { player, viewer: await FrameCountingViewer.open(endpoint, 'VP8') };
}

/** The same players, each forwarded straight to its own viewer: what the ramp costs unmixed. */
async function forwardingBaseline(
  client: MediaClient,
  serverPid: number,
  clip: string,
  count: number,
): Promise<Level | undefined> {
  if (count === 0) return undefined;
  const pipeline = await client.create('MediaPipeline');
  const participants: Participant[] = [];
  try {
    for (let index = 0; index < count; index++) {
      const player = await startPlayer(pipeline, clip);
      const endpoint = await pipeline.create('WebRtcEndpoint', { sendonly: true });
      await (player as MediaElement).connect(endpoint);
      participants.push({ player, viewer: await FrameCountingViewer.open(endpoint, 'VP8') });
    }
    return await measure(participants, serverPid);
  } finally {
    await pipeline.release();
    await Promise.all(participants.map(({ viewer }) => viewer.close()));
  }
}

async function startPlayer(pipeline: MediaPipeline, clip: string): Promise<PlayerEndpoint> {
  const player = await pipeline.create('PlayerEndpoint', { uri: `file://${clip}` });
  // A ramp outlasts the clip: each player starts over at its end, as a live camera would go on.
  await player.on('EndOfStream', () => void player.play());
  await player.play();
  return player;
}

async function measure(participants: readonly Participant[], serverPid: number): Promise<Level> {
  const viewers = participants.map(({ viewer }) => viewer);
  return {
    participants: participants.length,
    ...(await measureRampWindow(viewers, serverPid, WARM_UP_MS, WINDOW_MS)),
  };
}

function report(mixed: CompositeRamp, forwarded: Level | undefined): void {
  const row = (label: string, level: Level) => [
    label,
    level.medianFps.toFixed(1),
    level.minFps.toFixed(1),
    level.serverNodeCpu.toFixed(2),
    level.stagesCpu.toFixed(2),
    `${level.machineBusyPercent.toFixed(0)} %`,
  ];
  const rows = mixed.levels.map((level) => row(String(level.participants), level));
  if (mixed.afterRefusal) {
    rows.push(row(`${mixed.afterRefusal.participants} after the refusal`, mixed.afterRefusal));
  }
  if (forwarded) rows.push(row(`${forwarded.participants} forwarded, no mix`, forwarded));
  console.log(`\nComposite ${MIX.width}x${MIX.height} at ${MIX.framerate} fps`);
  printTable(
    [
      'participants',
      'fps median',
      'fps min',
      'server Node (cores)',
      'stages (cores)',
      'machine busy',
    ],
    rows,
  );
  console.log(
    `refused at: ${
      mixed.refusedAt
        ? `${mixed.refusedAt.participants} (${mixed.refusedAt.code} ${mixed.refusedAt.message})`
        : 'not reached'
    }; mix below 90 % of its rate at: ${mixed.framesDropAt ?? 'not reached'}${
      mixed.setUpFailedAt
        ? `; set-up failed at ${mixed.setUpFailedAt.participants}: ${mixed.setUpFailedAt.message}`
        : ''
    }`,
  );
}

async function makeClip(directory: string): Promise<string> {
  const file = join(directory, 'participant.webm');
  await run('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x480:rate=30'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
    ...['-t', `${CLIP_SECONDS}`, '-g', '60', '-b:v', '1M'],
    ...['-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-c:a', 'libopus'],
    file,
  ]);
  return file;
}

function numberArgument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} takes a positive integer`);
  return value;
}

console.log(`${availableParallelism()} cores; up to ${maxParticipants} participants`);
await main();

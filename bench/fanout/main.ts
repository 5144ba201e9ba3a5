// Fan-out: one publisher of a real VP8 + Opus stream, N light subscribers in other processes, N
// raised level by level until more than 0.5% of packets are lost. Each target is measured beside
// the baselines of the same run: a bare Node dgram relay (the floor of a Node process) and the
// same relay encrypting each packet for each subscriber with AES-128-GCM (the floor with SRTP).
//
//   scripts/isolated.sh npx tsx bench/fanout/main.ts [--targets medley,relay,relay-gcm,janus]
//       [--levels 10,50,100,...] [--quick] [--out bench/results/fanout.json]
//       [--subscriber-processes 4] [--budget-seconds 240] [--keep-going]
//       [--burst 100 [--burst-within-ms 1000]] [--trees before=<worktree>,after=<worktree>]
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type ClipRates, clipRates, loadClip } from './clip.js';
import type { LevelResult } from './Fanout.js';
import { type RampOptions, rampTarget, type TargetResult } from './ramp.js';
import { JanusTarget } from './targets/JanusTarget.js';
import { MedleyCascadeTarget } from './targets/MedleyCascadeTarget.js';
import { MedleyMuxTarget } from './targets/MedleyMuxTarget.js';
import { MedleyTarget } from './targets/MedleyTarget.js';
import { RelayTarget } from './targets/RelayTarget.js';
import type { ServerHeapUsage, Target } from './targets/Target.js';

const TARGETS: Record<string, () => Target> = {
  relay: () => new RelayTarget({ encrypted: false }),
  'relay-gcm': () => new RelayTarget({ encrypted: true }),
  medley: () => new MedleyTarget(),
  'medley-werift': () =>
    new MedleyTarget({ name: 'medley-werift', sendPath: 'werift', sendWorkers: 0, maxLoad: 1 }),
  'medley-js': () =>
    new MedleyTarget({ name: 'medley-js', sendPath: 'direct', sendWorkers: 0, maxLoad: 1 }),
  'medley-workers': () =>
    new MedleyTarget({ name: 'medley-workers', sendPath: 'native', sendWorkers: 2, maxLoad: 1 }),
  'medley-admission': () =>
    new MedleyTarget({
      name: 'medley-admission',
      sendPath: 'native',
      sendWorkers: 0,
      maxLoad: 0.85,
    }),
  'medley-cascade': () => new MedleyCascadeTarget(),
  'medley-mux': () => new MedleyMuxTarget(),
  janus: () => new JanusTarget(),
};
const FULL_LEVELS = [10, 50, 100, 200, 300, 400, 500];
const QUICK_LEVELS = [10, 50];

interface RunOptions {
  readonly targets: readonly string[];
  readonly out: string;
  readonly ramp: RampOptions;
}

function parseOptions(): RunOptions {
  const { values } = parseArgs({
    options: {
      targets: { type: 'string' },
      levels: { type: 'string' },
      quick: { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench/results/fanout.json' },
      'subscriber-processes': { type: 'string', default: '4' },
      'budget-seconds': { type: 'string' },
      // A memory run on a busy machine measures every level, lossy or with failed set-ups.
      'keep-going': { type: 'boolean', default: false },
      // After the last level, this many subscribers join within --burst-within-ms (not 8 at a
      // time) while those already there are measured for loss.
      burst: { type: 'string' },
      'burst-within-ms': { type: 'string', default: '1000' },
      // label=dir,…: the media server of other trees (worktrees, built) as targets medley-<label>,
      // e.g. a "before" and an "after" commit measured in the same run.
      trees: { type: 'string' },
    },
  });
  const quick = values.quick === true;
  for (const entry of (values.trees ?? '').split(',').filter(Boolean)) addTreeTarget(entry);
  const targets = (values.targets ?? defaultTargets().join(',')).split(',').filter(Boolean);
  const unknown = targets.filter((name) => !(name in TARGETS));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown target ${unknown.join(', ')}: use ${Object.keys(TARGETS).join(', ')}`,
    );
  }
  const levels = values.levels
    ? values.levels.split(',').map(Number)
    : quick
      ? QUICK_LEVELS
      : FULL_LEVELS;
  if (levels.some((level) => !Number.isInteger(level) || level <= 0)) {
    throw new UsageError(`--levels takes positive integers, e.g. 10,50,100; got ${values.levels}`);
  }
  const subscriberProcesses = Number(values['subscriber-processes']);
  if (!Number.isInteger(subscriberProcesses) || subscriberProcesses <= 0) {
    throw new UsageError('--subscriber-processes takes a positive integer');
  }
  const burst = values.burst === undefined ? undefined : Number(values.burst);
  const burstWithinMs = Number(values['burst-within-ms']);
  if (burst !== undefined && (!Number.isInteger(burst) || burst <= 0)) {
    throw new UsageError('--burst takes a positive integer (subscribers joining at once)');
  }
  if (!Number.isFinite(burstWithinMs) || burstWithinMs < 0) {
    throw new UsageError('--burst-within-ms takes a duration in milliseconds');
  }
  const budgetSeconds = Number(values['budget-seconds'] ?? (quick ? 90 : 240));
  return {
    targets,
    out: values.out ?? 'bench/results/fanout.json',
    ramp: {
      levels: [...levels].sort((a, b) => a - b),
      warmUpMs: quick ? 2000 : 3000,
      windowMs: quick ? 5000 : 10_000,
      budgetMs: budgetSeconds * 1000,
      subscriberProcesses,
      setupConcurrency: 8,
      lossLimit: 0.005,
      keepGoing: values['keep-going'] === true,
      burst: burst === undefined ? undefined : { joining: burst, withinMs: burstWithinMs },
    },
  };
}

/** `label=dir`: adds target medley-<label>, the default server built in that tree. */
function addTreeTarget(entry: string): void {
  const [label, tree] = entry.split('=');
  if (!label || !tree) throw new UsageError(`--trees takes label=dir,…; got ${entry}`);
  const packageRoot = resolve(tree, 'packages/media-server');
  if (!existsSync(resolve(packageRoot, 'dist/cli.js'))) {
    throw new UsageError(`--trees: ${packageRoot}/dist/cli.js is missing: build that tree`);
  }
  const name = `medley-${label}`;
  TARGETS[name] = () =>
    new MedleyTarget({
      name,
      sendPath: 'native',
      sendWorkers: 0,
      maxLoad: 1,
      packageRoot: `${packageRoot}/`,
    });
}

function defaultTargets(): string[] {
  const janus = existsSync('/usr/bin/janus') ? ['janus'] : [];
  return [
    'relay',
    'relay-gcm',
    'medley-werift',
    'medley-js',
    'medley',
    'medley-admission',
    ...janus,
  ];
}

class UsageError extends Error {
  readonly code = 'USAGE';
}

const COLUMNS = [
  ['subs', 5],
  ['setup p50/p95 ms', 17],
  ['loss %', 7],
  ['lat p50/p99 ms', 15],
  ['srv CPU %', 10],
  ['srv µs/pkt', 11],
  ['marginal', 9],
  ['RSS MB', 7],
  ['KB/sub', 7],
  ['subs CPU %', 11],
  ['subs µs/pkt', 12],
  ['drops srv/subs', 15],
  ['subs lag ms', 12],
  ['machine %', 10],
] as const;

const LEGEND = [
  'subs: subscribers receiving (!n: n failed to set up); setup: request → first RTP of the subscribers',
  'added for the level; loss over all subscribers; lat: publisher send → subscriber arrival;',
  'srv: the server process(es), CPU = user+sys of all threads, µs/pkt = CPU over packets sent ×',
  'subscribers, marginal = the same between this level and the previous one; KB/sub = (RSS − idle',
  'RSS) / subscribers; subs: the subscriber processes (µs per packet received); drops: datagrams the',
  'kernel dropped at full receive buffers (server/subscriber sockets); subs lag: worst event-loop',
  'delay of a subscriber process; machine: busy share of all cores (everything running).',
].join('\n');

function header(): string {
  return COLUMNS.map(([title, width]) => title.padStart(width)).join(' ');
}

function row(level: LevelResult): string {
  const cells = [
    String(level.subscribers) + (level.setupFailures > 0 ? `!${level.setupFailures}` : ''),
    `${level.setupMs.p50.toFixed(0)}/${level.setupMs.p95.toFixed(0)}`,
    level.lossPercent.toFixed(3),
    `${level.latencyMs.p50.toFixed(2)}/${level.latencyMs.p99.toFixed(1)}`,
    level.server.cpuPercent.toFixed(1),
    level.server.cpuMicrosecondsPerPacket.toFixed(1),
    level.server.marginalCpuMicrosecondsPerPacket?.toFixed(1) ?? '',
    level.server.rssMb.toFixed(0),
    level.server.rssPerSubscriberKb.toFixed(0),
    level.subscriberProcesses.cpuPercent.toFixed(1),
    level.subscriberProcesses.cpuMicrosecondsPerPacket.toFixed(1),
    `${level.udpReceiveDrops.server}/${level.udpReceiveDrops.subscribers}`,
    level.subscriberEventLoopDelayMs.max.toFixed(0),
    level.machineBusyPercent.toFixed(0),
  ];
  return cells.map((cell, index) => cell.padStart(COLUMNS[index]?.[1] ?? 0)).join(' ');
}

/** The burst row's meaning: who joined, how their set-ups went, what the served lost. */
function burstLine(level: LevelResult): string {
  const { burst } = level;
  if (!burst) return '';
  const reasons = Object.entries(level.setupFailureReasons)
    .map(([reason, times]) => `${times}× ${reason}`)
    .join('; ');
  return (
    `  ↑ burst: ${burst.joining} joined within ${burst.withinMs} ms while ${burst.served} were served; ` +
    `${burst.joining - level.setupFailures} set up (p50/p95 ${level.setupMs.p50.toFixed(0)}/` +
    `${level.setupMs.p95.toFixed(0)} ms), ${level.setupFailures} failed${reasons ? ` (${reasons})` : ''}; ` +
    `the ${burst.served} served lost ${level.packetsLost} of ${level.packetsExpected} packets ` +
    `(${level.lossPercent.toFixed(3)}%)`
  );
}

function heapLine({ asIs, live }: ServerHeapUsage): string {
  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  return (
    `  server heap: used ${mb(asIs.heapUsed)} MB (live ${mb(live.heapUsed)}) of ` +
    `${mb(asIs.heapTotal)} MB committed, external ` +
    `${mb(asIs.external)} MB (live ${mb(live.external)}), of which array buffers ` +
    `${mb(asIs.arrayBuffers)} MB (live ${mb(live.arrayBuffers)}); RSS ${mb(asIs.rss)} MB`
  );
}

function describeClip(rates: ClipRates): string {
  const { packetsPerSecond: pps, kilobitsPerSecond: kbps } = rates;
  return (
    `clip: 640x480@30 VP8 ${kbps.video.toFixed(0)} kb/s (${pps.video.toFixed(1)} packets/s) + ` +
    `Opus ${kbps.audio.toFixed(0)} kb/s (${pps.audio.toFixed(1)} packets/s) = ` +
    `${kbps.total.toFixed(0)} kb/s, ${pps.total.toFixed(1)} packets/s of RTP`
  );
}

async function main(): Promise<void> {
  const options = parseOptions();
  const clip = await loadClip();
  const rates = clipRates(clip);
  console.log(describeClip(rates));
  const { ramp } = options;
  console.log(
    `levels ${ramp.levels.join(',')}; warm-up ${ramp.warmUpMs / 1000} s, window ${ramp.windowMs / 1000} s, ` +
      `${ramp.subscriberProcesses} subscriber processes, budget ${ramp.budgetMs / 1000} s per target\n`,
  );
  console.log(`${LEGEND}\n`);
  const out = resolve(options.out);
  await mkdir(dirname(out), { recursive: true });
  const startedAt = new Date().toISOString();
  const results: TargetResult[] = [];
  for (const name of options.targets) {
    const target = TARGETS[name]?.();
    if (!target) continue;
    console.log(`${name}:`);
    console.log(header());
    try {
      const result = await rampTarget(target, ramp, (level) => {
        console.log(row(level));
        if (level.burst) console.log(burstLine(level));
        if (level.server.heap) console.log(heapLine(level.server.heap));
      });
      results.push(result);
      console.log(
        `→ largest level under ${ramp.lossLimit * 100}% loss: ${result.largestCleanLevel ?? 'none'} ` +
          `(${result.stopReason}); idle server RSS ${result.idleServerRssMb.toFixed(0)} MB; ` +
          `${result.renumberedSubscribers} subscribers got renumbered sequence numbers\n`,
      );
    } catch (error) {
      console.log(`→ ${name} failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    // Written after every target, so an interrupted run keeps what it measured.
    const json = { startedAt, clip: rates, options: ramp, results };
    await writeFile(out, `${JSON.stringify(json, null, 2)}\n`);
  }
  console.log(`results: ${out}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);

import { monotonicMs } from './ArrivalLog.js';
import { type BurstShape, delay, Fanout, type LevelResult } from './Fanout.js';
import type { Target } from './targets/Target.js';

export interface RampOptions {
  /** Subscriber counts to measure, ascending; the ramp adds subscribers, never restarts. */
  readonly levels: readonly number[];
  readonly warmUpMs: number;
  readonly windowMs: number;
  /** No new level starts once this much time has passed since the target started. */
  readonly budgetMs: number;
  readonly subscriberProcesses: number;
  /** Subscribers set up at the same time while ramping. */
  readonly setupConcurrency: number;
  /** The ramp stops at the first level losing more than this share of packets. */
  readonly lossLimit: number;
  /** Measure every level even past loss or failed set-ups (memory runs on a busy machine). */
  readonly keepGoing?: boolean;
  /** After the last level: this many subscribers join at once while those there are measured. */
  readonly burst?: BurstShape | undefined;
}

export interface TargetResult {
  readonly target: string;
  readonly levels: readonly LevelResult[];
  /** Largest level with loss under the limit and every subscriber set up. */
  readonly largestCleanLevel: number | null;
  readonly stopReason: string;
  readonly idleServerRssMb: number;
  /** Subscribers whose sequence numbers the server rewrote (Janus: all; Medley, relays: none). */
  readonly renumberedSubscribers: number;
}

/** Whose limit a lossy level shows: the server's, or the harness's on a saturated machine. */
function whereLost(level: LevelResult): string {
  const { server, subscribers } = level.udpReceiveDrops;
  if (subscribers >= level.packetsLost / 2) {
    return `${subscribers} of ${level.packetsLost} lost packets were dropped at full subscriber sockets (the harness's limit, not the server's)`;
  }
  return (
    `server at ${level.server.cpuPercent.toFixed(0)}% of a core, machine ${level.machineBusyPercent.toFixed(0)}% busy` +
    (server > 0 ? `, ${server} datagrams dropped at the server's sockets` : '')
  );
}

/** Set-up time allowed per subscriber when deciding whether a level fits the time budget. */
const SETUP_ESTIMATE_MS = 50;

/** Runs one target: a publisher, then subscribers added level by level until loss or budget. */
export async function rampTarget(
  target: Target,
  options: RampOptions,
  report: (level: LevelResult) => void,
): Promise<TargetResult> {
  const startedMs = monotonicMs();
  await target.start();
  const fanout = new Fanout(target, options.subscriberProcesses);
  const levels: LevelResult[] = [];
  let stopReason = 'all levels measured';
  let largestCleanLevel: number | null = null;
  try {
    const { idleRssMb } = await fanout.start(options.warmUpMs);
    for (const level of options.levels) {
      const levelMs =
        options.warmUpMs + options.windowMs + (level - fanout.subscribers) * SETUP_ESTIMATE_MS;
      if (monotonicMs() - startedMs + levelMs > options.budgetMs) {
        stopReason = `time budget (${Math.round(options.budgetMs / 1000)} s) reached`;
        break;
      }
      const setup = await fanout.grow(level, options.setupConcurrency);
      await delay(options.warmUpMs);
      const result = await fanout.measure(options.windowMs, setup);
      levels.push(result);
      report(result);
      const snapshot = await target.writeHeapSnapshot?.();
      if (snapshot) console.log(`  heap snapshot at ${level} subscribers: ${snapshot}`);
      const problems = [
        ...(result.setupFailures > 0
          ? [`${result.setupFailures} subscribers failed to set up at ${level}`]
          : []),
        ...(result.lossPercent / 100 > options.lossLimit
          ? [`loss ${result.lossPercent.toFixed(2)}% at ${level}: ${whereLost(result)}`]
          : []),
      ];
      if (problems.length > 0) {
        stopReason = problems.join('; ');
        if (options.keepGoing) continue;
        break;
      }
      if (!options.keepGoing || stopReason === 'all levels measured') largestCleanLevel = level;
    }
    if (options.burst && (stopReason === 'all levels measured' || options.keepGoing)) {
      await delay(options.warmUpMs);
      const result = await fanout.burst(options.burst, options.windowMs);
      levels.push(result);
      report(result);
      const problems = [
        ...(result.setupFailures > 0
          ? [
              `${result.setupFailures} of ${options.burst.joining} burst subscribers failed to set up`,
            ]
          : []),
        ...(result.packetsLost > 0
          ? [
              `the ${result.subscribers} served lost ${result.lossPercent.toFixed(3)}% during the burst`,
            ]
          : []),
      ];
      if (problems.length > 0) stopReason = `${stopReason}; burst: ${problems.join('; ')}`;
    }
    return {
      target: target.name,
      levels,
      largestCleanLevel,
      stopReason,
      idleServerRssMb: idleRssMb,
      renumberedSubscribers: fanout.renumberedSubscribers,
    };
  } finally {
    await fanout.stop();
  }
}

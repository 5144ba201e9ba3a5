import { monotonicMs } from './ArrivalLog.js';
import type { SubscriberReport } from './ipc.js';
import {
  LatencyHistogram,
  machineCpuMs,
  percentile,
  totalCpuMs,
  totalResidentKb,
} from './measure.js';
import { PublisherProcess } from './PublisherProcess.js';
import { SubscriberPool } from './SubscriberPool.js';
import type { SubscriberSession, Target } from './targets/Target.js';

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
}

export interface LevelResult {
  readonly subscribers: number;
  readonly setupFailures: number;
  /** Request → first RTP packet of the subscribers added for this level, under the load before it. */
  readonly setupMs: { readonly p50: number; readonly p95: number };
  readonly packetsSentPerSecond: number;
  readonly lossPercent: number;
  readonly worstSubscriberLossPercent: number;
  /** Publisher send → subscriber arrival. */
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  readonly server: {
    readonly cpuPercent: number;
    /** CPU time over the packets it should have delivered (packets sent × subscribers). */
    readonly cpuMicrosecondsPerPacket: number;
    readonly rssMb: number;
    readonly rssPerSubscriberKb: number;
  };
  readonly subscriberProcesses: {
    readonly cpuPercent: number;
    readonly cpuMicrosecondsPerPacket: number;
  };
  readonly publisherCpuPercent: number;
  /** Busy share of all the machine's cores in the window, this benchmark and everything else. */
  readonly machineBusyPercent: number;
  /** Sampled packets fully decrypted, and those that failed (should be 0). */
  readonly decrypted: number;
  readonly decryptFailures: number;
}

export interface TargetResult {
  readonly target: string;
  readonly levels: readonly LevelResult[];
  /** Largest level with loss under the limit and every subscriber set up. */
  readonly largestCleanLevel: number | null;
  readonly stopReason: string;
  readonly idleServerRssMb: number;
}

/** Grace after a window for packets still in flight to arrive before they are counted. */
const IN_FLIGHT_GRACE_MS = 1000;
const FIRST_RTP_TIMEOUT_MS = 15_000;

/** Runs one target: a publisher, then subscribers added level by level until loss or budget. */
export async function rampTarget(
  target: Target,
  options: RampOptions,
  report: (level: LevelResult) => void,
): Promise<TargetResult> {
  const startedMs = monotonicMs();
  await target.start();
  const publisher = new PublisherProcess();
  const pool = new SubscriberPool(options.subscriberProcesses);
  const sessions: SubscriberSession[] = [];
  const levels: LevelResult[] = [];
  let stopReason = 'all levels measured';
  let largestCleanLevel: number | null = null;
  try {
    await publisher.start(target.publisherEntry());
    await delay(options.warmUpMs);
    const idleRssKb = totalResidentKb(target.serverPids());
    const idleServerRssMb = idleRssKb / 1024;
    for (const level of options.levels) {
      const expectedLevelMs = options.warmUpMs + options.windowMs + (level - sessions.length) * 50;
      if (monotonicMs() - startedMs + expectedLevelMs > options.budgetMs) {
        stopReason = `time budget (${Math.round(options.budgetMs / 1000)} s) reached`;
        break;
      }
      const setup = await addSubscribers(target, pool, sessions, level, options.setupConcurrency);
      await delay(options.warmUpMs);
      const result = await measureLevel(target, publisher, pool, options.windowMs, {
        subscribers: sessions.length,
        setup,
        idleRssKb,
      });
      levels.push(result);
      report(result);
      if (result.setupFailures > 0) {
        stopReason = `${result.setupFailures} subscribers failed to set up at ${level}`;
        break;
      }
      if (result.lossPercent / 100 > options.lossLimit) {
        stopReason = `loss ${result.lossPercent.toFixed(2)}% at ${level}`;
        break;
      }
      largestCleanLevel = level;
    }
    return { target: target.name, levels, largestCleanLevel, stopReason, idleServerRssMb };
  } finally {
    pool.stop();
    publisher.stop();
    await target.stop();
  }
}

interface SetupOutcome {
  readonly timesMs: readonly number[];
  readonly failures: number;
}

/** Opens subscribers until there are `count`, a few at a time, timing each request → first RTP. */
async function addSubscribers(
  target: Target,
  pool: SubscriberPool,
  sessions: SubscriberSession[],
  count: number,
  concurrency: number,
): Promise<SetupOutcome> {
  const timesMs: number[] = [];
  let failures = 0;
  let remaining = count - sessions.length;
  const worker = async () => {
    while (remaining > 0) {
      remaining--;
      try {
        timesMs.push(await openOne(target, pool, sessions));
      } catch (error) {
        failures++;
        console.error(
          `  subscriber set-up failed: ${error instanceof Error ? error.message : error}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { timesMs, failures };
}

async function openOne(
  target: Target,
  pool: SubscriberPool,
  sessions: SubscriberSession[],
): Promise<number> {
  const requestedMs = monotonicMs();
  const session = await target.openSubscriber();
  let id: number | undefined;
  try {
    const opened = await pool.open(session.route);
    id = opened.id;
    if (opened.answer !== undefined) await session.answer?.(opened.answer);
    const firstRtpMs = await pool.firstRtpMs(id, FIRST_RTP_TIMEOUT_MS);
    sessions.push(session);
    return firstRtpMs - requestedMs;
  } catch (error) {
    // A subscriber that never received is left out of the loss figures: it counts as a failure.
    if (id !== undefined) pool.close(id);
    await session.close().catch(() => undefined);
    throw error;
  }
}

async function measureLevel(
  target: Target,
  publisher: PublisherProcess,
  pool: SubscriberPool,
  windowMs: number,
  context: { subscribers: number; setup: SetupOutcome; idleRssKb: number },
): Promise<LevelResult> {
  const serverPids = target.serverPids();
  const startMs = monotonicMs();
  const serverCpuBefore = totalCpuMs(serverPids);
  const subscriberCpuBefore = totalCpuMs(pool.pids);
  const publisherCpuBefore = totalCpuMs([publisher.pid]);
  const machineBefore = machineCpuMs();
  await delay(windowMs);
  const endMs = monotonicMs();
  const serverCpuMs = totalCpuMs(serverPids) - serverCpuBefore;
  const subscriberCpuMs = totalCpuMs(pool.pids) - subscriberCpuBefore;
  const publisherCpuMs = totalCpuMs([publisher.pid]) - publisherCpuBefore;
  const machineAfter = machineCpuMs();
  const rssKb = totalResidentKb(serverPids);
  await delay(IN_FLIGHT_GRACE_MS);
  const sends = await publisher.sends(startMs, endMs);
  const reports = await pool.report(sends);
  const elapsedMs = endMs - startMs;
  const expected = sum(reports, (entry) => entry.expected);
  const received = sum(reports, (entry) => entry.received);
  const latency = new LatencyHistogram();
  for (const entry of reports) latency.add(entry.latencyBins);
  const share = (cpuMs: number) => (cpuMs / elapsedMs) * 100;
  return {
    subscribers: context.subscribers,
    setupFailures: context.setup.failures,
    setupMs: {
      p50: percentile(context.setup.timesMs, 0.5),
      p95: percentile(context.setup.timesMs, 0.95),
    },
    packetsSentPerSecond: (sends.kinds.length / elapsedMs) * 1000,
    lossPercent: expected === 0 ? 100 : (1 - received / expected) * 100,
    worstSubscriberLossPercent: Math.max(0, ...reports.map((entry) => entry.worstLoss)) * 100,
    latencyMs: { p50: latency.percentileMs(0.5), p99: latency.percentileMs(0.99) },
    server: {
      cpuPercent: share(serverCpuMs),
      cpuMicrosecondsPerPacket: (serverCpuMs * 1000) / Math.max(1, expected),
      rssMb: rssKb / 1024,
      rssPerSubscriberKb: (rssKb - context.idleRssKb) / Math.max(1, context.subscribers),
    },
    subscriberProcesses: {
      cpuPercent: share(subscriberCpuMs),
      cpuMicrosecondsPerPacket: (subscriberCpuMs * 1000) / Math.max(1, received),
    },
    publisherCpuPercent: share(publisherCpuMs),
    machineBusyPercent:
      ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) * 100,
    decrypted: sum(reports, (entry) => entry.decrypted),
    decryptFailures: sum(reports, (entry) => entry.decryptFailures),
  };
}

function sum(reports: readonly SubscriberReport[], value: (report: SubscriberReport) => number) {
  return reports.reduce((total, report) => total + value(report), 0);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

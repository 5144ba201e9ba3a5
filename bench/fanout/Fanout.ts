import { setSchedulingPriority } from '../support/childProcess.js';
import { monotonicMs } from './ArrivalLog.js';
import type { SequenceAnchor, SubscriberReport } from './ipc.js';
import {
  LatencyHistogram,
  machineCpuMs,
  percentile,
  totalCpuMs,
  totalResidentKb,
  udpReceiveDrops,
} from './measure.js';
import { PublisherProcess } from './PublisherProcess.js';
import { SubscriberPool } from './SubscriberPool.js';
import type { ServerHeapUsage, SubscriberSession, Target } from './targets/Target.js';

/** Grace after a window for packets still in flight to arrive before they are counted. */
const IN_FLIGHT_GRACE_MS = 1000;
/**
 * Every server under test (relays, Medley, Janus) runs at this nice value, the publisher and the
 * subscribers at 0: the server has first claim on the two cores, as on a host of its own, and the
 * load generators take what is left (their limit shows as drops at their sockets).
 */
const SERVER_NICE = -10;
const FIRST_RTP_TIMEOUT_MS = 15_000;

export interface LevelResult {
  readonly subscribers: number;
  readonly setupFailures: number;
  readonly setupFailureReasons: Readonly<Record<string, number>>;
  /** Request → first RTP packet of the subscribers added for this level, under the load before it. */
  readonly setupMs: { readonly p50: number; readonly p95: number };
  readonly packetsSentPerSecond: number;
  /** Packets sent in the window × subscribers, and how many of those never arrived. */
  readonly packetsExpected: number;
  readonly packetsLost: number;
  readonly lossPercent: number;
  readonly worstSubscriberLossPercent: number;
  /** Publisher send → subscriber arrival. */
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  readonly server: {
    readonly cpuPercent: number;
    /** CPU time over the packets it should have delivered (packets sent × subscribers). */
    readonly cpuMicrosecondsPerPacket: number;
    /**
     * The same between the previous level and this one: what one more forwarded packet costs,
     * without the fixed costs (ingest, RTCP, timers) that dominate at small levels.
     */
    readonly marginalCpuMicrosecondsPerPacket: number | null;
    readonly rssMb: number;
    readonly rssPerSubscriberKb: number;
    /** process.memoryUsage() of a Node server, as it is and after a full collection, if asked. */
    readonly heap?: ServerHeapUsage | undefined;
  };
  readonly subscriberProcesses: {
    readonly cpuPercent: number;
    readonly cpuMicrosecondsPerPacket: number;
  };
  readonly publisherCpuPercent: number;
  /** Worst event-loop delay of a subscriber process in the window (p99, max). */
  readonly subscriberEventLoopDelayMs: { readonly p99: number; readonly max: number };
  /** Datagrams dropped by the kernel at full receive buffers, in the window. */
  readonly udpReceiveDrops: { readonly server: number; readonly subscribers: number };
  /** Busy share of all the machine's cores in the window, this benchmark and everything else. */
  readonly machineBusyPercent: number;
  /** Sampled packets fully decrypted, and those that failed (should be 0). */
  readonly decrypted: number;
  readonly decryptFailures: number;
  /**
   * Set when the level is a burst: `joining` subscribers set up within `withinMs` during the
   * window, whose set-up figures (and failures) are theirs; every other figure (loss, latency,
   * subscriber counts) is of the `served` subscribers that were already receiving.
   */
  readonly burst?: BurstShape & { readonly served: number };
}

export interface SetupOutcome {
  readonly timesMs: readonly number[];
  readonly failures: number;
  /** How many set-ups failed for each reason. */
  readonly failureReasons: Readonly<Record<string, number>>;
}

/** A burst of joins measured while the subscribers already there are served. */
export interface BurstShape {
  /** Subscribers that join. */
  readonly joining: number;
  /** Their set-ups start evenly over this long. */
  readonly withinMs: number;
}

/** One target serving one publisher to a growing set of subscribers, and what it costs. */
export class Fanout {
  readonly target: Target;
  readonly #publisher = new PublisherProcess();
  readonly #pool: SubscriberPool;
  readonly #sessions: SubscriberSession[] = [];
  #idleRssKb = 0;
  /** Server CPU (ms/s) and packets delivered (per s) at the last level measured. */
  #previousRates: { cpuMsPerSecond: number; packetsPerSecond: number } | undefined;
  /** Subscribers whose packets the server numbers differently from the publisher's. */
  renumberedSubscribers = 0;

  constructor(target: Target, subscriberProcesses: number) {
    this.target = target;
    this.#pool = new SubscriberPool(subscriberProcesses);
  }

  get subscribers(): number {
    return this.#sessions.length;
  }

  /** Starts the publisher's stream; the server's memory after `settleMs` is its idle RSS. */
  async start(settleMs: number): Promise<{ idleRssMb: number }> {
    setSchedulingPriority(this.target.serverPids(), SERVER_NICE);
    await this.#publisher.start(this.target.publisherEntry());
    await delay(settleMs);
    this.#idleRssKb = totalResidentKb(this.target.serverPids());
    return { idleRssMb: this.#idleRssKb / 1024 };
  }

  /** Opens subscribers until there are `count`, a few at a time, timing each request → first RTP. */
  async grow(count: number, concurrency: number): Promise<SetupOutcome> {
    const setups = new SetupTally();
    let remaining = count - this.#sessions.length;
    const worker = async () => {
      while (remaining > 0) {
        remaining--;
        await setups.add(this.#openSubscriber());
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return setups.outcome();
  }

  /**
   * `shape.joining` subscribers join, their set-ups started evenly over `shape.withinMs` (all
   * at once, not a few at a time), while the subscribers already there are measured over
   * `windowMs`: their loss is the burst's cost to those served.
   */
  async burst(shape: BurstShape, windowMs: number): Promise<LevelResult> {
    const served = this.subscribers;
    const servedIdsBelow = this.#pool.nextId;
    const setups = new SetupTally();
    const started: Promise<void>[] = [];
    const spacingMs = shape.withinMs / shape.joining;
    const joined = (async () => {
      for (let index = 0; index < shape.joining; index++) {
        started.push(setups.add(this.#openSubscriber()));
        await delay(spacingMs);
      }
      await Promise.all(started);
      return setups.outcome();
    })();
    const result = await this.measure(windowMs, joined, { idsBelow: servedIdsBelow });
    // Between a level and its burst, the "marginal" cost per packet would count set-up work.
    const server = { ...result.server, marginalCpuMicrosecondsPerPacket: null };
    return { ...result, subscribers: served, server, burst: { ...shape, served } };
  }

  /**
   * Server, subscriber and publisher figures over `windowMs`, while the stream flows. The
   * set-ups may still run during the window; only subscribers below `idsBelow` are counted.
   */
  async measure(
    windowMs: number,
    settingUp: SetupOutcome | Promise<SetupOutcome>,
    only: { readonly idsBelow?: number } = {},
  ): Promise<LevelResult> {
    const serverPids = this.target.serverPids();
    const pool = this.#pool;
    const publisher = this.#publisher;
    const startMs = monotonicMs();
    const serverCpuBefore = totalCpuMs(serverPids);
    const subscriberCpuBefore = totalCpuMs(pool.pids);
    const publisherCpuBefore = totalCpuMs([publisher.pid]);
    const machineBefore = machineCpuMs();
    const serverDropsBefore = udpReceiveDrops(serverPids);
    const subscriberDropsBefore = udpReceiveDrops(pool.pids);
    pool.windowStarts();
    await delay(windowMs);
    const endMs = monotonicMs();
    const serverCpuMs = totalCpuMs(serverPids) - serverCpuBefore;
    const subscriberCpuMs = totalCpuMs(pool.pids) - subscriberCpuBefore;
    const publisherCpuMs = totalCpuMs([publisher.pid]) - publisherCpuBefore;
    const machineAfter = machineCpuMs();
    const serverDrops = udpReceiveDrops(serverPids) - serverDropsBefore;
    const subscriberDrops = udpReceiveDrops(pool.pids) - subscriberDropsBefore;
    const rssKb = totalResidentKb(serverPids);
    const heap = await this.target.heapUsage?.();
    await delay(IN_FLIGHT_GRACE_MS);
    const sends = await publisher.sends(startMs, endMs);
    const reports = await pool.report(sends, only.idsBelow);
    const setup = await settingUp;
    const elapsedMs = endMs - startMs;
    const expected = sum(reports, (entry) => entry.expected);
    const received = sum(reports, (entry) => entry.received);
    const latency = new LatencyHistogram();
    for (const entry of reports) latency.add(entry.latencyBins);
    const share = (cpuMs: number) => (cpuMs / elapsedMs) * 100;
    const rates = {
      cpuMsPerSecond: (serverCpuMs / elapsedMs) * 1000,
      packetsPerSecond: (expected / elapsedMs) * 1000,
    };
    const previous = this.#previousRates;
    this.#previousRates = rates;
    return {
      subscribers: this.subscribers,
      setupFailures: setup.failures,
      setupFailureReasons: setup.failureReasons,
      setupMs: { p50: percentile(setup.timesMs, 0.5), p95: percentile(setup.timesMs, 0.95) },
      packetsSentPerSecond: (sends.kinds.length / elapsedMs) * 1000,
      packetsExpected: expected,
      packetsLost: expected - received,
      lossPercent: expected === 0 ? 100 : (1 - received / expected) * 100,
      worstSubscriberLossPercent: Math.max(0, ...reports.map((entry) => entry.worstLoss)) * 100,
      latencyMs: { p50: latency.percentileMs(0.5), p99: latency.percentileMs(0.99) },
      server: {
        cpuPercent: share(serverCpuMs),
        cpuMicrosecondsPerPacket: (serverCpuMs * 1000) / Math.max(1, expected),
        marginalCpuMicrosecondsPerPacket: previous
          ? ((rates.cpuMsPerSecond - previous.cpuMsPerSecond) * 1000) /
            (rates.packetsPerSecond - previous.packetsPerSecond)
          : null,
        rssMb: rssKb / 1024,
        rssPerSubscriberKb: (rssKb - this.#idleRssKb) / Math.max(1, this.subscribers),
        heap,
      },
      subscriberProcesses: {
        cpuPercent: share(subscriberCpuMs),
        cpuMicrosecondsPerPacket: (subscriberCpuMs * 1000) / Math.max(1, received),
      },
      publisherCpuPercent: share(publisherCpuMs),
      subscriberEventLoopDelayMs: {
        p99: Math.max(...reports.map((entry) => entry.eventLoopDelayMs.p99)),
        max: Math.max(...reports.map((entry) => entry.eventLoopDelayMs.max)),
      },
      udpReceiveDrops: { server: serverDrops, subscribers: subscriberDrops },
      machineBusyPercent:
        ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) *
        100,
      decrypted: sum(reports, (entry) => entry.decrypted),
      decryptFailures: sum(reports, (entry) => entry.decryptFailures),
    };
  }

  async stop(): Promise<void> {
    this.#pool.stop();
    this.#publisher.stop();
    await this.target.stop();
  }

  /** One subscriber, from the request to the server until its first RTP packet: the set-up time. */
  async #openSubscriber(): Promise<number> {
    const requestedMs = monotonicMs();
    const session = await this.target.openSubscriber();
    let id: number | undefined;
    try {
      const opened = await this.#pool.open(session.route);
      id = opened.id;
      if (opened.answer !== undefined) await session.answer?.(opened.answer);
      const firstRtpMs = await this.#pool.firstRtpMs(id, FIRST_RTP_TIMEOUT_MS);
      await this.#learnSequenceOffsets(id);
      this.#sessions.push(session);
      return firstRtpMs - requestedMs;
    } catch (error) {
      // A subscriber that never received is left out of the loss figures: it counts as a failure.
      if (id !== undefined) this.#pool.close(id);
      await session.close().catch(() => undefined);
      throw error;
    }
  }

  /** How the server numbers this subscriber's packets, from its first packet of each kind. */
  async #learnSequenceOffsets(id: number): Promise<void> {
    const anchors = await this.#pool.anchors(id, FIRST_RTP_TIMEOUT_MS);
    const offsets = {
      audio: await this.#sequenceOffset(anchors.audio),
      video: await this.#sequenceOffset(anchors.video),
    };
    this.#pool.setSequenceOffsets(id, offsets);
    if (offsets.audio !== 0 || offsets.video !== 0) this.renumberedSubscribers++;
  }

  /** Publisher's sequence number − the subscriber's for the anchor's media kind (mod 2^16). */
  async #sequenceOffset(anchor: SequenceAnchor): Promise<number> {
    const publisherSequenceNumber = await this.#publisher.locate(anchor);
    if (publisherSequenceNumber === null) {
      throw new Error(
        `the ${anchor.kind} packet a subscriber received is not in the publisher's log`,
      );
    }
    return (publisherSequenceNumber - anchor.sequenceNumber) & 0xffff;
  }
}

/** Set-up times and failures (by reason) of subscribers being opened. */
class SetupTally {
  readonly #timesMs: number[] = [];
  readonly #failures = new Map<string, number>();

  async add(setup: Promise<number>): Promise<void> {
    try {
      this.#timesMs.push(await setup);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#failures.set(reason, (this.#failures.get(reason) ?? 0) + 1);
    }
  }

  outcome(): SetupOutcome {
    for (const [reason, times] of this.#failures) {
      console.error(`  ${times} subscriber set-up(s) failed: ${reason}`);
    }
    return {
      timesMs: [...this.#timesMs],
      failures: [...this.#failures.values()].reduce((total, times) => total + times, 0),
      failureReasons: Object.fromEntries(this.#failures),
    };
  }
}

function sum(reports: readonly SubscriberReport[], value: (report: SubscriberReport) => number) {
  return reports.reduce((total, report) => total + value(report), 0);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Set-up cost of the media server, each figure beside a baseline measured in the same run.
//
//   scripts/isolated.sh npx tsx bench/setup-cost.ts      (after `npm run build`)
//
// The server runs as its CLI (dist/cli.js) in a child process, driven by @medley/media-client.
// 1. processOffer latency of a WebRtcEndpoint, for a werift VP8 + Opus sendrecv offer made before
//    the clock starts, beside werift answering the same offer in this process (the floor: ICE
//    gathering, DTLS certificate, SDP, without our server) and a JSON-RPC getter (the protocol's
//    round trip). The three alternate call by call.
// 2. Create/release cycles per second, sequential and 8 at a time: MediaPipeline + WebRtcEndpoint,
//    beside a bare MediaPipeline. Server CPU per cycle from /proc.
// 3. Memory per WebRtcEndpoint that has answered an offer (idle, its peer gone), beside a
//    PassThrough: a second server process started with --inspect, so that its heap can be read
//    after a full garbage collection; its RSS from /proc.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type MediaClient } from '../packages/media-client/src/index.js';
import { type StartedProcess, startNodeProcess } from './support/childProcess.js';
import { type HeapUsage, InspectorSession } from './support/inspector.js';
import { cpuMilliseconds, residentBytes } from './support/processStats.js';
import { machineContext, writeResults } from './support/results.js';
import { type Summary, summarize } from './support/statistics.js';
import { printTable } from './support/table.js';
import { answerOffer, createVp8OpusOffer, serverLikePeer } from './support/weriftPeers.js';

const cliPath = new URL('../packages/media-server/dist/cli.js', import.meta.url).pathname;
const listening = /"msg":"media server listening".*?"url":"([^"]+)"/;
const OFFERS = 100;
const WARM_UP_OFFERS = 10;
const CYCLE_WINDOW_MS = 2500;
const CONCURRENCY_LEVELS = [1, 8];
const ELEMENTS_FOR_MEMORY = 200;

async function time(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await action();
  return performance.now() - start;
}

interface OfferLatency {
  readonly processOffer: Summary;
  readonly weriftAnswer: Summary;
  /** Interleaved with the two above, so under the same load (ICE checks of earlier rounds). */
  readonly rpcGetter: Summary;
  /** The same getter on a server and client with nothing else to do: the protocol's floor. */
  readonly rpcGetterIdle: Summary;
}

async function idleGetterLatency(client: MediaClient): Promise<Summary> {
  const pipeline = await client.create('MediaPipeline');
  const samples: number[] = [];
  for (let call = 0; call < WARM_UP_OFFERS + OFFERS; call++) {
    const ms = await time(() => pipeline.getName());
    if (call >= WARM_UP_OFFERS) samples.push(ms);
  }
  await pipeline.release();
  return summarize(samples);
}

/** Part 1: each round makes one offer and times the three ways of handling it, in turn. */
async function offerLatency(client: MediaClient): Promise<OfferLatency> {
  const rpcGetterIdle = await idleGetterLatency(client);
  const samples: Record<'processOffer' | 'weriftAnswer' | 'rpcGetter', number[]> = {
    processOffer: [],
    weriftAnswer: [],
    rpcGetter: [],
  };
  for (let round = 0; round < WARM_UP_OFFERS + OFFERS; round++) {
    const pipeline = await client.create('MediaPipeline');
    const webRtc = await pipeline.create('WebRtcEndpoint');
    // Both answerers hold their peer connection before the clock starts, as a WebRtcEndpoint does.
    const localAnswerer = serverLikePeer();
    const offer = await createVp8OpusOffer();
    const steps = [
      async () => ['processOffer', await time(() => webRtc.processOffer(offer.sdp))] as const,
      async () =>
        ['weriftAnswer', await time(() => answerOffer(localAnswerer, offer.sdp))] as const,
      async () => ['rpcGetter', await time(() => pipeline.getName())] as const,
    ];
    for (let step = 0; step < steps.length; step++) {
      const [name, ms] = await (steps[(round + step) % steps.length] as (typeof steps)[number])();
      if (round >= WARM_UP_OFFERS) samples[name].push(ms);
    }
    await Promise.all([localAnswerer.close(), offer.peer.close(), pipeline.release()]);
  }
  return {
    processOffer: summarize(samples.processOffer),
    weriftAnswer: summarize(samples.weriftAnswer),
    rpcGetter: summarize(samples.rpcGetter),
    rpcGetterIdle,
  };
}

interface CycleRate {
  readonly cycle: 'MediaPipeline' | 'MediaPipeline + WebRtcEndpoint';
  readonly concurrency: number;
  readonly cyclesPerSecond: number;
  readonly serverCpuMsPerCycle: number;
}

/** Part 2: `concurrency` loops of create (+ endpoint) and release, for CYCLE_WINDOW_MS. */
async function cycleRate(
  client: MediaClient,
  server: StartedProcess,
  cycle: CycleRate['cycle'],
  concurrency: number,
): Promise<CycleRate> {
  let cycles = 0;
  const cpuBefore = cpuMilliseconds(server.pid);
  const start = performance.now();
  const deadline = start + CYCLE_WINDOW_MS;
  const loop = async () => {
    while (performance.now() < deadline) {
      const pipeline = await client.create('MediaPipeline');
      if (cycle !== 'MediaPipeline') await pipeline.create('WebRtcEndpoint');
      await pipeline.release();
      cycles++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsedMs = performance.now() - start;
  return {
    cycle,
    concurrency,
    cyclesPerSecond: (cycles / elapsedMs) * 1000,
    serverCpuMsPerCycle: (cpuMilliseconds(server.pid) - cpuBefore) / cycles,
  };
}

/** Each configuration twice, baseline and endpoint alternating, so drift hits both alike. */
async function cycleRates(client: MediaClient, server: StartedProcess): Promise<CycleRate[]> {
  const rates: CycleRate[] = [];
  for (const concurrency of CONCURRENCY_LEVELS) {
    const halves: CycleRate[] = [];
    for (const cycle of [
      'MediaPipeline',
      'MediaPipeline + WebRtcEndpoint',
      'MediaPipeline + WebRtcEndpoint',
      'MediaPipeline',
    ] as const) {
      halves.push(await cycleRate(client, server, cycle, concurrency));
    }
    for (const cycle of ['MediaPipeline', 'MediaPipeline + WebRtcEndpoint'] as const) {
      const both = halves.filter((rate) => rate.cycle === cycle);
      const mean = (field: 'cyclesPerSecond' | 'serverCpuMsPerCycle') =>
        both.reduce((sum, rate) => sum + rate[field], 0) / both.length;
      rates.push({
        cycle,
        concurrency,
        cyclesPerSecond: mean('cyclesPerSecond'),
        serverCpuMsPerCycle: mean('serverCpuMsPerCycle'),
      });
    }
  }
  return rates;
}

interface MemorySnapshot extends HeapUsage {
  /** RSS read from /proc by this process (HeapUsage.rss is the server's own view). */
  readonly procRss: number;
}

interface MemoryPerElement {
  readonly element: 'PassThrough' | 'WebRtcEndpoint';
  readonly count: number;
  /** Bytes per element, while they exist. */
  readonly rssPerElement: number;
  readonly heapUsedPerElement: number;
  readonly externalPerElement: number;
  /** Bytes per element still held after their pipeline was released (a leak shows here). */
  readonly heapUsedRetainedPerElement: number;
}

async function memorySnapshot(
  inspector: InspectorSession,
  server: StartedProcess,
): Promise<MemorySnapshot> {
  const heap = await inspector.heapAfterGarbageCollection();
  return { ...heap, procRss: residentBytes(server.pid) };
}

/** Part 3: `count` elements in one pipeline; snapshots before, with them, and after release. */
async function memoryPerElement(
  client: MediaClient,
  inspector: InspectorSession,
  server: StartedProcess,
  element: MemoryPerElement['element'],
  count: number,
): Promise<MemoryPerElement> {
  const before = await memorySnapshot(inspector, server);
  const pipeline = await client.create('MediaPipeline');
  for (let index = 0; index < count; index++) {
    if (element === 'PassThrough') {
      await pipeline.create('PassThrough');
      continue;
    }
    const webRtc = await pipeline.create('WebRtcEndpoint');
    const offer = await createVp8OpusOffer();
    await webRtc.processOffer(offer.sdp);
    await offer.peer.close();
  }
  const during = await memorySnapshot(inspector, server);
  await pipeline.release();
  const after = await memorySnapshot(inspector, server);
  return {
    element,
    count,
    rssPerElement: (during.procRss - before.procRss) / count,
    heapUsedPerElement: (during.heapUsed - before.heapUsed) / count,
    externalPerElement: (during.external - before.external) / count,
    heapUsedRetainedPerElement: (after.heapUsed - before.heapUsed) / count,
  };
}

async function memoryCost(): Promise<MemoryPerElement[]> {
  const debuggerThenServer = new RegExp(
    `Debugger listening on (ws://\\S+)[\\s\\S]*?${listening.source}`,
  );
  const server = await startServer(['--inspect=127.0.0.1:0'], debuggerThenServer);
  const inspector = await InspectorSession.open(server.ready[1] as string);
  const client = await connect(server.ready[2] as string);
  try {
    // Unmeasured: loads and compiles every code path an endpoint uses, once.
    await memoryPerElement(client, inspector, server, 'WebRtcEndpoint', 20);
    await memoryPerElement(client, inspector, server, 'PassThrough', 20);
    return [
      await memoryPerElement(client, inspector, server, 'PassThrough', ELEMENTS_FOR_MEMORY),
      await memoryPerElement(client, inspector, server, 'WebRtcEndpoint', ELEMENTS_FOR_MEMORY),
    ];
  } finally {
    client.close();
    inspector.close();
    await server.stop();
  }
}

function startServer(nodeOptions: string[], readyLine: RegExp): Promise<StartedProcess> {
  return startNodeProcess(
    [...nodeOptions, cliPath, '--port', '0', '--media-root', workDirectory],
    readyLine,
    // Admission control off: the cycle rates drive the server to saturation on purpose. Set by
    // environment, which a server without the option ignores.
    { env: { MEDLEY_MAX_LOAD: '1' } },
  );
}

const ms = (value: number) => value.toFixed(1);
const kib = (bytes: number) => (bytes / 1024).toFixed(1);

function printLatency(latency: OfferLatency): void {
  console.log(`1. offer handling, ${OFFERS} offers (ms)`);
  const row = (label: string, summary: Summary) => [
    label,
    ms(summary.median),
    ms(summary.p95),
    ms(summary.max),
  ];
  printTable(
    ['', 'median', 'p95', 'max'],
    [
      row('processOffer (server, over JSON-RPC)', latency.processOffer),
      row('werift answer in this process (floor)', latency.weriftAnswer),
      row('JSON-RPC getter, same rounds', latency.rpcGetter),
      row('JSON-RPC getter, idle server', latency.rpcGetterIdle),
    ],
  );
  const added = latency.processOffer.median - latency.weriftAnswer.median;
  console.log(
    `  processOffer = ${(latency.processOffer.median / latency.weriftAnswer.median).toFixed(2)}× werift's own answer at the median (+${added.toFixed(1)} ms, a getter round trip being ${latency.rpcGetter.median.toFixed(1)} ms)\n`,
  );
}

function printRates(rates: readonly CycleRate[]): void {
  console.log(`2. create + release cycles, ${(2 * CYCLE_WINDOW_MS) / 1000} s each`);
  printTable(
    ['', 'cycles/s', 'server CPU ms/cycle'],
    rates.map((rate) => [
      `${rate.cycle}, ${rate.concurrency} at a time`,
      rate.cyclesPerSecond.toFixed(0),
      rate.serverCpuMsPerCycle.toFixed(2),
    ]),
  );
  console.log('');
}

function printMemory(memory: readonly MemoryPerElement[]): void {
  console.log(`3. memory per element, ${ELEMENTS_FOR_MEMORY} in one pipeline (KiB)`);
  printTable(
    ['', 'RSS', 'heap used', 'external', 'heap kept after release'],
    memory.map((entry) => [
      entry.element,
      kib(entry.rssPerElement),
      kib(entry.heapUsedPerElement),
      kib(entry.externalPerElement),
      kib(entry.heapUsedRetainedPerElement),
    ]),
  );
}

if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run "npm run build" first.`);
if (process.env.MEDLEY_ISOLATED !== '1') {
  console.warn(
    'warning: not inside scripts/isolated.sh; ICE may use other interfaces than loopback',
  );
}
const workDirectory = await mkdtemp(join(tmpdir(), 'medley-bench-setup-cost-'));
try {
  const server = await startServer([], listening);
  const client = await connect(server.ready[1] as string);
  let latency: OfferLatency;
  let rates: CycleRate[];
  try {
    latency = await offerLatency(client);
    printLatency(latency);
    rates = await cycleRates(client, server);
    printRates(rates);
  } finally {
    client.close();
    await server.stop();
  }
  const memory = await memoryCost();
  printMemory(memory);
  const path = await writeResults('setup-cost', {
    ...machineContext(),
    offerLatencyMs: latency,
    cycleRates: rates,
    memoryBytes: memory,
  });
  console.log(`\n  written to ${path}`);
} finally {
  await rm(workDirectory, { recursive: true, force: true });
}

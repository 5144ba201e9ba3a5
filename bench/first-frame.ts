// Time to first frame of the loopback demo, beside a direct Chromium-to-Chromium call measured in
// the same browser, run after run.
//
//   scripts/isolated.sh npx tsx bench/first-frame.ts [--runs 20] [--baseline <checkout>] [--trace]
//                                                                     (after `npm run build`)
//
// Both kinds run in Debian's Chromium with the fake camera, one new page per run, alternating:
// - demo: the loopback page of the demo app server (socket.io signaling, the embedded media
//   server's WebRtcEndpoint connected to itself), started with its Start button;
// - direct: two RTCPeerConnections in one blank page, the same camera constraints, no server.
// The clock starts at the page's first RTCPeerConnection.createOffer() call (so camera start-up
// and the signaling connection are left out of both) and stops when the remote <video> presents
// its first frame (requestVideoFrameCallback). The answer applied in between splits the time into
// negotiation (offer → answer) and media (answer → first frame).
// --baseline <checkout>: a third kind, 'baseline', the same demo served by another built checkout
//   (e.g. a `git worktree` of an older commit), so that a change is measured against its base in
//   the same run.
// --trace: the demo servers run with bench/support/firstFrameTrace.ts preloaded, and the median
//   time of each set-up step (signaling, JSON-RPC, werift, ICE, DTLS, first RTP) after the
//   offer is printed beside the page's own marks.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../scripts/chromium.js';
import { type StartedProcess, startNodeProcess } from './support/childProcess.js';
import type { TraceEvent } from './support/firstFrameTrace.js';
import { machineContext, writeResults } from './support/results.js';
import { runsArgument } from './support/runsArgument.js';
import { type Summary, summarize } from './support/statistics.js';
import { printTable, millisecondsRow as row } from './support/table.js';

type Kind = 'demo' | 'baseline' | 'direct';

/** What the init script records in the page, in the page's performance.now() time. */
interface FirstFrameMarks {
  /** performance.timeOrigin, to put the marks on the server's (epoch) clock. */
  timeOrigin?: number;
  offerAt?: number;
  offerSetAt?: number;
  answerReceivedAt?: number;
  answerAt?: number;
  iceConnectedAt?: number;
  connectedAt?: number;
  /** The page's socket.io frame with the offer left, by WebSocket or by long-polling. */
  offerSentByWebSocketAt?: number;
  offerSentByPollingAt?: number;
  /** The demo page's local preview presented its first camera frame. */
  cameraFrameAt?: number;
  frameAt?: number;
  frameWidth?: number;
  frameHeight?: number;
}

declare global {
  interface Window {
    benchMarks?: FirstFrameMarks;
    benchWatchFirstFrame?: (video: HTMLVideoElement) => void;
    benchReceiver?: RTCPeerConnection;
  }
}

interface RunResult {
  readonly kind: Kind;
  /** Milliseconds after the offer, of the page's marks and (with --trace) the server's events. */
  readonly steps: Record<string, number>;
  /** With --trace: every server event of the run, "ms-after-the-offer name". */
  readonly serverEvents?: string[];
  readonly offerToFrameMs: number;
  readonly offerToAnswerMs: number;
  readonly answerToFrameMs: number;
  readonly frameWidth: number;
  readonly frameHeight: number;
  readonly codec: string;
  readonly offerEpochMs: number;
  readonly frameEpochMs: number;
}

/** The demo's capture constraints (WebRtcPeer's default), given to the direct call too. */
const cameraConstraints: MediaStreamConstraints = {
  audio: true,
  video: { width: 640, frameRate: 15 },
};
const runs = runsArgument(20);
const baselineCheckout = optionValue('--baseline');
const tracing = process.argv.includes('--trace');
const runTimeoutMs = 20_000;
/** Between runs, so that one run's teardown (pipeline release, DTLS close) does not load the next. */
const settleMs = 500;
const checkoutRoot = new URL('..', import.meta.url).pathname;
const traceModule = new URL('./support/firstFrameTrace.ts', import.meta.url).pathname;

function optionValue(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  if (index < 0) return undefined;
  const value = process.argv[index + 1];
  if (!value) throw new Error(`${name} needs a value`);
  return value;
}

function demoServerScriptOf(checkout: string): string {
  return join(checkout, 'demos/dist/server/main.js');
}

/**
 * Runs in every page before its own scripts: marks the first createOffer() and the first applied
 * answer, and offers a hook that marks the first frame a <video> presents.
 */
function recordFirstFrameMarks(): void {
  const marks: FirstFrameMarks = { timeOrigin: performance.timeOrigin };
  window.benchMarks = marks;
  const { createOffer, setLocalDescription } = RTCPeerConnection.prototype;
  const setRemoteDescription = RTCPeerConnection.prototype.setRemoteDescription as (
    this: RTCPeerConnection,
    description: RTCSessionDescriptionInit,
  ) => Promise<void>;
  RTCPeerConnection.prototype.createOffer = function (
    this: RTCPeerConnection,
    ...args: Parameters<typeof createOffer>
  ) {
    marks.offerAt ??= performance.now();
    this.addEventListener('iceconnectionstatechange', () => {
      if (this.iceConnectionState === 'connected') marks.iceConnectedAt ??= performance.now();
    });
    this.addEventListener('connectionstatechange', () => {
      if (this.connectionState === 'connected') marks.connectedAt ??= performance.now();
    });
    return createOffer.apply(this, args);
  } as typeof createOffer;
  RTCPeerConnection.prototype.setLocalDescription = async function (
    this: RTCPeerConnection,
    ...args: Parameters<typeof setLocalDescription>
  ) {
    await setLocalDescription.apply(this, args);
    if (this.localDescription?.type === 'offer') marks.offerSetAt ??= performance.now();
  } as typeof setLocalDescription;
  RTCPeerConnection.prototype.setRemoteDescription = async function (
    this: RTCPeerConnection,
    description: RTCSessionDescriptionInit,
  ) {
    if (description.type === 'answer') marks.answerReceivedAt ??= performance.now();
    await setRemoteDescription.call(this, description);
    if (description.type === 'answer') marks.answerAt ??= performance.now();
  };
  const { send: webSocketSend } = WebSocket.prototype;
  WebSocket.prototype.send = function (this: WebSocket, data) {
    if (typeof data === 'string' && data.includes('peer:offer'))
      marks.offerSentByWebSocketAt ??= performance.now();
    return webSocketSend.call(this, data);
  };
  const { send: xhrSend } = XMLHttpRequest.prototype;
  XMLHttpRequest.prototype.send = function (this: XMLHttpRequest, body) {
    if (typeof body === 'string' && body.includes('peer:offer'))
      marks.offerSentByPollingAt ??= performance.now();
    return xhrSend.call(this, body);
  };
  window.benchWatchFirstFrame = (video) => {
    video.requestVideoFrameCallback((_now, frame) => {
      marks.frameAt = frame.presentationTime;
      marks.frameWidth = frame.width;
      marks.frameHeight = frame.height;
    });
  };
  document.addEventListener('DOMContentLoaded', () => {
    const remoteVideo = document.getElementById('remoteVideo');
    if (remoteVideo instanceof HTMLVideoElement) window.benchWatchFirstFrame?.(remoteVideo);
    const localVideo = document.getElementById('localVideo');
    if (localVideo instanceof HTMLVideoElement) {
      localVideo.requestVideoFrameCallback((_now, frame) => {
        marks.cameraFrameAt = frame.presentationTime;
      });
    }
  });
}

async function runDemo(page: Page, kind: Kind, baseUrl: string): Promise<RunResult> {
  await page.goto(`${baseUrl}/loopback/`);
  await page.click('#start');
  const result = await firstFrame(page, kind, () => window.loopback.peer?.peerConnection);
  await page.click('#stop');
  return result;
}

async function runDirect(page: Page, baseUrl: string): Promise<RunResult> {
  // A page of the demo's origin (a secure context, as the demo), served without the demo server.
  const blankUrl = `${baseUrl}/bench-direct-call`;
  await page.route(blankUrl, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><video autoplay muted>' }),
  );
  await page.goto(blankUrl);
  await page.evaluate(async (constraints) => {
    const stream = await navigator.mediaDevices.getUserMedia(constraints);
    const sender = new RTCPeerConnection();
    const receiver = new RTCPeerConnection();
    window.benchReceiver = receiver;
    sender.onicecandidate = ({ candidate }) => candidate && receiver.addIceCandidate(candidate);
    receiver.onicecandidate = ({ candidate }) => candidate && sender.addIceCandidate(candidate);
    const video = document.querySelector('video') as HTMLVideoElement;
    window.benchWatchFirstFrame?.(video);
    receiver.ontrack = ({ streams }) => {
      if (streams[0]) video.srcObject = streams[0];
    };
    for (const track of stream.getTracks()) sender.addTrack(track, stream);
    await sender.setLocalDescription(await sender.createOffer());
    await receiver.setRemoteDescription(sender.localDescription as RTCSessionDescription);
    await receiver.setLocalDescription(await receiver.createAnswer());
    await sender.setRemoteDescription(receiver.localDescription as RTCSessionDescription);
  }, cameraConstraints);
  return firstFrame(page, 'direct', () => window.benchReceiver);
}

/** Waits for the first presented frame, then reads the marks and the received codec. */
async function firstFrame(
  page: Page,
  kind: Kind,
  receivingPeer: () => RTCPeerConnection | undefined,
): Promise<RunResult> {
  await page.waitForFunction(() => window.benchMarks?.frameAt !== undefined, undefined, {
    timeout: runTimeoutMs,
    polling: 50,
  });
  const marks = (await page.evaluate(() => window.benchMarks)) as Required<FirstFrameMarks>;
  const receiver = await page.evaluateHandle(receivingPeer);
  const codec = await receiver.evaluate(async (connection) => {
    if (!connection) return 'unknown';
    const stats = [...(await connection.getStats()).values()];
    const video = stats.find((stat) => stat.type === 'inbound-rtp' && stat.kind === 'video');
    return stats.find((stat) => stat.id === video?.codecId)?.mimeType ?? 'unknown';
  });
  await receiver.dispose();
  const pageSteps: Record<string, number | undefined> = {
    'page: offer set (setLocalDescription)': marks.offerSetAt,
    'page: offer sent (socket.io by WebSocket)': marks.offerSentByWebSocketAt,
    'page: offer sent (socket.io by long-polling)': marks.offerSentByPollingAt,
    'page: answer received': marks.answerReceivedAt,
    'page: answer applied': marks.answerAt,
    'page: ICE connected': marks.iceConnectedAt,
    'page: DTLS connected (connectionState)': marks.connectedAt,
    "page: camera's first frame in the local preview": marks.cameraFrameAt,
    'page: first frame presented': marks.frameAt,
  };
  const steps: Record<string, number> = {};
  for (const [name, at] of Object.entries(pageSteps)) {
    if (at !== undefined) steps[name] = at - marks.offerAt;
  }
  return {
    kind,
    steps,
    ...(tracing && kind !== 'direct' ? { serverEvents: [] } : {}),
    offerEpochMs: marks.timeOrigin + marks.offerAt,
    frameEpochMs: marks.timeOrigin + marks.frameAt,
    offerToFrameMs: marks.frameAt - marks.offerAt,
    offerToAnswerMs: marks.answerAt - marks.offerAt,
    answerToFrameMs: marks.frameAt - marks.answerAt,
    frameWidth: marks.frameWidth,
    frameHeight: marks.frameHeight,
    codec,
  };
}

interface DemoServer {
  readonly process: StartedProcess;
  readonly baseUrl: string;
  readonly traceFile: string;
}

async function measureOnce(
  browser: Browser,
  kind: Kind,
  servers: Partial<Record<Kind, DemoServer>>,
): Promise<RunResult> {
  const page = await browser.newPage();
  const server = servers[kind] ?? (servers.demo as DemoServer);
  try {
    await page.addInitScript(recordFirstFrameMarks);
    const result =
      kind === 'direct'
        ? await runDirect(page, server.baseUrl)
        : await runDemo(page, kind, server.baseUrl);
    if (tracing && kind !== 'direct') await addServerSteps(result, server.traceFile);
    return result;
  } finally {
    await page.close();
    await delay(settleMs);
  }
}

/** The first time of each server event in the run's window, in ms after the page's offer. */
async function addServerSteps(result: RunResult, traceFile: string): Promise<void> {
  const text = await readFile(traceFile, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    if (!line) continue;
    const event = JSON.parse(line) as TraceEvent;
    if (event.t < result.offerEpochMs - 50 || event.t > result.frameEpochMs) continue;
    const name = `server: ${event.e.replace(/ #\d*$/, '')}`;
    result.steps[name] ??= event.t - result.offerEpochMs;
    result.serverEvents?.push(`${(event.t - result.offerEpochMs).toFixed(1)} ${event.e}`);
  }
}

/** Median of every step, ordered by it. */
function stepMedians(results: readonly RunResult[]): [string, number][] {
  const names = new Set(results.flatMap((result) => Object.keys(result.steps)));
  const medians: [string, number][] = [];
  for (const name of names) {
    const times = results.flatMap((result) =>
      result.steps[name] === undefined ? [] : [result.steps[name] as number],
    );
    medians.push([
      `${name}${times.length < results.length ? ` (${times.length} runs)` : ''}`,
      summarize(times).median,
    ]);
  }
  return medians.sort((a, b) => a[1] - b[1]);
}

async function startDemoServer(checkout: string, name: string): Promise<DemoServer> {
  const script = demoServerScriptOf(checkout);
  if (!existsSync(script))
    throw new Error(`${script} is missing: run "npm run build" there first.`);
  const traceFile = join(mediaRoot, `${name}-trace.jsonl`);
  const preload = tracing ? ['--import', 'tsx', '--import', traceModule] : [];
  const process = await startNodeProcess(
    [...preload, script],
    /Medley demos at (http:\/\/\S+?)\//,
    {
      env: {
        PORT: '0',
        HOST: '127.0.0.1',
        MEDIA_ROOT: join(mediaRoot, name),
        SESSION_GRACE_MS: '3000',
        FIRST_FRAME_TRACE: traceFile,
      },
    },
  );
  return { process, baseUrl: process.ready[1] as string, traceFile };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function formatsOf(results: readonly RunResult[]): string[] {
  return [...new Set(results.map((r) => `${r.codec} ${r.frameWidth}x${r.frameHeight}`))];
}

if (process.env.MEDLEY_ISOLATED !== '1') {
  console.warn(
    'warning: not inside scripts/isolated.sh; ICE may use other interfaces than loopback',
  );
}
const mediaRoot = await mkdtemp(join(tmpdir(), 'medley-bench-first-frame-'));
const servers: Partial<Record<Kind, DemoServer>> = {
  demo: await startDemoServer(checkoutRoot, 'demo'),
};
if (baselineCheckout) servers.baseline = await startDemoServer(baselineCheckout, 'baseline');
const kinds: Kind[] = baselineCheckout ? ['demo', 'baseline', 'direct'] : ['demo', 'direct'];
const browser = await chromium.launch(chromiumLaunchOptions);
try {
  console.log(
    `first frame, ${runs} runs per kind (${kinds.join(', ')}), rotating, one new page per run`,
  );
  // One unmeasured run of each: the first camera start, page load and server JIT are one-off costs.
  for (const kind of kinds) await measureOnce(browser, kind, servers);
  const results: RunResult[] = [];
  const failures: string[] = [];
  for (let run = 0; run < runs; run++) {
    const order = [...kinds.slice(run % kinds.length), ...kinds.slice(0, run % kinds.length)];
    for (const kind of order) {
      try {
        results.push(await measureOnce(browser, kind, servers));
      } catch (error) {
        failures.push(`${kind} run ${run}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  }
  const byKind = Object.fromEntries(
    kinds.map((kind) => [kind, results.filter((r) => r.kind === kind)]),
  ) as Record<Kind, RunResult[]>;
  const summaries = Object.fromEntries(
    kinds.map((kind) => [
      kind,
      {
        offerToFrame: summarize(byKind[kind].map((r) => r.offerToFrameMs)),
        offerToAnswer: summarize(byKind[kind].map((r) => r.offerToAnswerMs)),
        answerToFrame: summarize(byKind[kind].map((r) => r.answerToFrameMs)),
      },
    ]),
  ) as Record<Kind, Record<'offerToFrame' | 'offerToAnswer' | 'answerToFrame', Summary>>;
  const ratioTo = (kind: Kind) => ({
    median: summaries[kind].offerToFrame.median / summaries.direct.offerToFrame.median,
    p90: summaries[kind].offerToFrame.p90 / summaries.direct.offerToFrame.p90,
  });
  const ratio = ratioTo('demo');
  const labels: Record<Kind, string> = {
    demo: 'demo',
    baseline: `baseline demo (${baselineCheckout})`,
    direct: 'direct',
  };
  console.log('');
  printTable(
    ['ms', 'median', 'p90', 'min', 'max'],
    kinds.flatMap((kind) => [
      row(`${labels[kind]}: offer → first frame`, summaries[kind].offerToFrame),
      row('  offer → answer', summaries[kind].offerToAnswer),
      row('  answer → first frame', summaries[kind].answerToFrame),
    ]),
  );
  for (const kind of kinds.filter((k) => k !== 'direct')) {
    const { median, p90 } = ratioTo(kind);
    console.log(
      `\n  ${labels[kind]} / direct: ${median.toFixed(2)}× at the median, ${p90.toFixed(2)}× at p90`,
    );
  }
  for (const kind of kinds)
    console.log(`  first frame received: ${kind} ${formatsOf(byKind[kind])}`);
  const breakdown = Object.fromEntries(kinds.map((kind) => [kind, stepMedians(byKind[kind])]));
  for (const kind of kinds) {
    console.log(`\n  ${labels[kind]}: median ms after the offer`);
    for (const [name, median] of breakdown[kind] ?? []) {
      console.log(`    ${median.toFixed(1).padStart(7)}  ${name}`);
    }
  }
  for (const failure of failures) console.log(`  failed: ${failure}`);
  const path = await writeResults('first-frame', {
    ...machineContext(),
    browser: `Chromium ${browser.version()}`,
    runsPerKind: runs,
    baselineCheckout,
    cameraConstraints,
    formats: Object.fromEntries(kinds.map((kind) => [kind, formatsOf(byKind[kind])])),
    summaries,
    ratio,
    ...(baselineCheckout ? { baselineRatio: ratioTo('baseline') } : {}),
    breakdown,
    failures,
    runs: results,
  });
  console.log(`\n  written to ${path}`);
} finally {
  await browser.close();
  for (const server of Object.values(servers)) await server.process.stop();
  await rm(mediaRoot, { recursive: true, force: true });
}

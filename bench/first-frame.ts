// Time to first frame of the loopback demo, beside a direct Chromium-to-Chromium call measured in
// the same browser, run after run.
//
//   scripts/isolated.sh npx tsx bench/first-frame.ts [--runs 20]      (after `npm run build`)
//
// Both kinds run in Debian's Chromium with the fake camera, one new page per run, alternating:
// - demo: the loopback page of the demo app server (socket.io signaling, the embedded media
//   server's WebRtcEndpoint connected to itself), started with its Start button;
// - direct: two RTCPeerConnections in one blank page, the same camera constraints, no server.
// The clock starts at the page's first RTCPeerConnection.createOffer() call (so camera start-up
// and the signaling connection are left out of both) and stops when the remote <video> presents
// its first frame (requestVideoFrameCallback). The answer applied in between splits the time into
// negotiation (offer → answer) and media (answer → first frame).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../scripts/chromium.js';
import { startNodeProcess } from './support/childProcess.js';
import { machineContext, writeResults } from './support/results.js';
import { runsArgument } from './support/runsArgument.js';
import { summarize } from './support/statistics.js';
import { printTable, millisecondsRow as row } from './support/table.js';

type Kind = 'demo' | 'direct';

/** What the init script records in the page, in the page's performance.now() time. */
interface FirstFrameMarks {
  offerAt?: number;
  answerAt?: number;
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
  readonly offerToFrameMs: number;
  readonly offerToAnswerMs: number;
  readonly answerToFrameMs: number;
  readonly frameWidth: number;
  readonly frameHeight: number;
  readonly codec: string;
}

/** The demo's capture constraints (WebRtcPeer's default), given to the direct call too. */
const cameraConstraints: MediaStreamConstraints = {
  audio: true,
  video: { width: 640, frameRate: 15 },
};
const runs = runsArgument(20);
const runTimeoutMs = 20_000;
/** Between runs, so that one run's teardown (pipeline release, DTLS close) does not load the next. */
const settleMs = 500;
const demoServerScript = new URL('../demos/dist/server/main.js', import.meta.url).pathname;

/**
 * Runs in every page before its own scripts: marks the first createOffer() and the first applied
 * answer, and offers a hook that marks the first frame a <video> presents.
 */
function recordFirstFrameMarks(): void {
  const marks: FirstFrameMarks = {};
  window.benchMarks = marks;
  const { createOffer } = RTCPeerConnection.prototype;
  const setRemoteDescription = RTCPeerConnection.prototype.setRemoteDescription as (
    this: RTCPeerConnection,
    description: RTCSessionDescriptionInit,
  ) => Promise<void>;
  RTCPeerConnection.prototype.createOffer = function (
    this: RTCPeerConnection,
    ...args: Parameters<typeof createOffer>
  ) {
    marks.offerAt ??= performance.now();
    return createOffer.apply(this, args);
  } as typeof createOffer;
  RTCPeerConnection.prototype.setRemoteDescription = async function (
    this: RTCPeerConnection,
    description: RTCSessionDescriptionInit,
  ) {
    await setRemoteDescription.call(this, description);
    if (description.type === 'answer') marks.answerAt ??= performance.now();
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
  });
}

async function runDemo(page: Page, baseUrl: string): Promise<RunResult> {
  await page.goto(`${baseUrl}/loopback/`);
  await page.click('#start');
  const result = await firstFrame(page, 'demo', () => window.loopback.peer?.peerConnection);
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
  return {
    kind,
    offerToFrameMs: marks.frameAt - marks.offerAt,
    offerToAnswerMs: marks.answerAt - marks.offerAt,
    answerToFrameMs: marks.frameAt - marks.answerAt,
    frameWidth: marks.frameWidth,
    frameHeight: marks.frameHeight,
    codec,
  };
}

async function measureOnce(browser: Browser, kind: Kind, baseUrl: string): Promise<RunResult> {
  const page = await browser.newPage();
  try {
    await page.addInitScript(recordFirstFrameMarks);
    return kind === 'demo' ? await runDemo(page, baseUrl) : await runDirect(page, baseUrl);
  } finally {
    await page.close();
    await delay(settleMs);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function formatsOf(results: readonly RunResult[]): string[] {
  return [...new Set(results.map((r) => `${r.codec} ${r.frameWidth}x${r.frameHeight}`))];
}

if (!existsSync(demoServerScript)) {
  throw new Error(`${demoServerScript} is missing: run "npm run build" first.`);
}
if (process.env.MEDLEY_ISOLATED !== '1') {
  console.warn(
    'warning: not inside scripts/isolated.sh; ICE may use other interfaces than loopback',
  );
}
const mediaRoot = await mkdtemp(join(tmpdir(), 'medley-bench-first-frame-'));
const demoServer = await startNodeProcess([demoServerScript], /Medley demos at (http:\/\/\S+?)\//, {
  env: { PORT: '0', HOST: '127.0.0.1', MEDIA_ROOT: mediaRoot, SESSION_GRACE_MS: '3000' },
});
const browser = await chromium.launch(chromiumLaunchOptions);
try {
  const baseUrl = demoServer.ready[1] as string;
  console.log(`first frame, ${runs} runs per kind, alternating, one new page per run`);
  // One unmeasured run of each: the first camera start, page load and server JIT are one-off costs.
  await measureOnce(browser, 'demo', baseUrl);
  await measureOnce(browser, 'direct', baseUrl);
  const results: RunResult[] = [];
  const failures: string[] = [];
  for (let run = 0; run < runs; run++) {
    const order: Kind[] = run % 2 === 0 ? ['demo', 'direct'] : ['direct', 'demo'];
    for (const kind of order) {
      try {
        results.push(await measureOnce(browser, kind, baseUrl));
      } catch (error) {
        failures.push(`${kind} run ${run}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  }
  const demo = results.filter((r) => r.kind === 'demo');
  const direct = results.filter((r) => r.kind === 'direct');
  const summaries = {
    demo: {
      offerToFrame: summarize(demo.map((r) => r.offerToFrameMs)),
      offerToAnswer: summarize(demo.map((r) => r.offerToAnswerMs)),
      answerToFrame: summarize(demo.map((r) => r.answerToFrameMs)),
    },
    direct: {
      offerToFrame: summarize(direct.map((r) => r.offerToFrameMs)),
      offerToAnswer: summarize(direct.map((r) => r.offerToAnswerMs)),
      answerToFrame: summarize(direct.map((r) => r.answerToFrameMs)),
    },
  };
  const ratio = {
    median: summaries.demo.offerToFrame.median / summaries.direct.offerToFrame.median,
    p90: summaries.demo.offerToFrame.p90 / summaries.direct.offerToFrame.p90,
  };
  console.log('');
  printTable(
    ['ms', 'median', 'p90', 'min', 'max'],
    [
      row('demo: offer → first frame', summaries.demo.offerToFrame),
      row('  offer → answer', summaries.demo.offerToAnswer),
      row('  answer → first frame', summaries.demo.answerToFrame),
      row('direct: offer → first frame', summaries.direct.offerToFrame),
      row('  offer → answer', summaries.direct.offerToAnswer),
      row('  answer → first frame', summaries.direct.answerToFrame),
    ],
  );
  console.log(
    `\n  demo / direct: ${ratio.median.toFixed(2)}× at the median, ${ratio.p90.toFixed(2)}× at p90`,
  );
  console.log(`  first frame received: demo ${formatsOf(demo)}, direct ${formatsOf(direct)}`);
  for (const failure of failures) console.log(`  failed: ${failure}`);
  const path = await writeResults('first-frame', {
    ...machineContext(),
    browser: `Chromium ${browser.version()}`,
    runsPerKind: runs,
    cameraConstraints,
    formats: { demo: formatsOf(demo), direct: formatsOf(direct) },
    summaries,
    ratio,
    failures,
    runs: results,
  });
  console.log(`\n  written to ${path}`);
} finally {
  await browser.close();
  await demoServer.stop();
  await rm(mediaRoot, { recursive: true, force: true });
}

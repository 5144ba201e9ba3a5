// Set-up time of a WHIP publication and a WHEP playback beside the Kurento-Protocol path that
// the one-to-many demo takes for the same thing, run after run in the same browser and server.
//
//   scripts/isolated.sh npx tsx bench/whip-setup.ts [--runs 12]      (after `npm run build`)
//
// One demo app server (its embedded media server has WHIP on; the app server forwards /whip/ and
// /whep/ to it) and Debian's Chromium with the fake camera, one new page per run:
// - publish: the /whip/ page's Publish (publishWhip: one HTTP POST, PATCHes for candidates)
//   beside the /one2many/ page's Present (socket.io request, the app server creates a pipeline
//   and a WebRtcEndpoint over the Kurento Protocol, candidates both ways over socket.io). Timed
//   from the page's first createOffer() to its RTCPeerConnection reaching `connected` (ICE and
//   DTLS done: media flows);
// - play: with a publisher of each kind standing, the /whip/ page's Play (playWhep) beside the
//   /one2many/ page's View, timed from the first createOffer() to the first frame the video
//   presents (requestVideoFrameCallback), the answer splitting it in two.
// Camera start-up and the page's signaling connection are outside the clock in both.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from '@playwright/test';
import { chromiumLaunchOptions } from '../scripts/chromium.js';
import { startNodeProcess } from './support/childProcess.js';
import { machineContext, writeResults } from './support/results.js';
import { runsArgument } from './support/runsArgument.js';
import { type Summary, summarize } from './support/statistics.js';
import { printTable, millisecondsRow as row } from './support/table.js';

type Kind = 'whip publish' | 'kurento publish' | 'whep play' | 'kurento play';

/** What the init script records in the page, in the page's performance.now() time. */
interface SetupMarks {
  offerAt?: number;
  answerAt?: number;
  connectedAt?: number;
  frameAt?: number;
}

declare global {
  interface Window {
    benchSetupMarks?: SetupMarks;
  }
}

interface RunResult {
  readonly kind: Kind;
  readonly totalMs: number;
  readonly offerToAnswerMs: number;
}

const runs = runsArgument(12);
const runTimeoutMs = 20_000;
/** Between runs, so that one run's teardown (DELETE, pipeline release) does not load the next. */
const settleMs = 500;
const whipToken = 'bench-whip-token';
const demoServerScript = new URL('../demos/dist/server/main.js', import.meta.url).pathname;

/**
 * Runs in every page before its scripts: marks the first createOffer(), the first applied answer
 * and the moment that connection is `connected`, and the first frame of the video `videoId`.
 */
function recordSetupMarks(videoId: string): void {
  const marks: SetupMarks = {};
  window.benchSetupMarks = marks;
  const { createOffer } = RTCPeerConnection.prototype;
  const setRemoteDescription = RTCPeerConnection.prototype.setRemoteDescription as (
    this: RTCPeerConnection,
    description: RTCSessionDescriptionInit,
  ) => Promise<void>;
  RTCPeerConnection.prototype.createOffer = function (
    this: RTCPeerConnection,
    ...args: Parameters<typeof createOffer>
  ) {
    if (marks.offerAt === undefined) {
      marks.offerAt = performance.now();
      this.addEventListener('connectionstatechange', () => {
        if (this.connectionState === 'connected') marks.connectedAt ??= performance.now();
      });
    }
    return createOffer.apply(this, args);
  } as typeof createOffer;
  RTCPeerConnection.prototype.setRemoteDescription = async function (
    this: RTCPeerConnection,
    description: RTCSessionDescriptionInit,
  ) {
    await setRemoteDescription.call(this, description);
    if (description.type === 'answer') marks.answerAt ??= performance.now();
  };
  document.addEventListener('DOMContentLoaded', () => {
    const video = document.getElementById(videoId);
    if (!(video instanceof HTMLVideoElement)) return;
    video.requestVideoFrameCallback((_now, frame) => {
      marks.frameAt = frame.presentationTime;
    });
  });
}

/** A page of the demo, the marks recording from its first script on. */
async function openPage(browser: Browser, url: string, videoId: string): Promise<Page> {
  const page = await browser.newPage();
  await page.addInitScript(recordSetupMarks, videoId);
  await page.goto(url);
  return page;
}

async function openWhipPage(browser: Browser, baseUrl: string, stream: string): Promise<Page> {
  const page = await openPage(browser, `${baseUrl}/whip/`, 'remoteVideo');
  await page.fill('#stream', stream);
  await page.fill('#token', whipToken);
  return page;
}

/** The one-to-many page connects its socket.io client before its first createOffer(). */
function openOneToManyPage(browser: Browser, baseUrl: string): Promise<Page> {
  return openPage(browser, `${baseUrl}/one2many/`, 'video');
}

async function marksWhen(page: Page, mark: keyof SetupMarks): Promise<Required<SetupMarks>> {
  await page.waitForFunction((name) => window.benchSetupMarks?.[name] !== undefined, mark, {
    timeout: runTimeoutMs,
    polling: 20,
  });
  return (await page.evaluate(() => window.benchSetupMarks)) as Required<SetupMarks>;
}

/** Clicks `button` and times the page's first createOffer() to the mark `until`. */
async function measure(
  page: Page,
  kind: Kind,
  button: string,
  until: 'connectedAt' | 'frameAt',
): Promise<RunResult> {
  await page.click(button);
  const marks = await marksWhen(page, until);
  return {
    kind,
    totalMs: marks[until] - marks.offerAt,
    offerToAnswerMs: marks.answerAt - marks.offerAt,
  };
}

/** One run of `kind` in a new page, closed (so its session ends) before the next starts. */
async function runOnce(
  browser: Browser,
  baseUrl: string,
  kind: Kind,
  run: number,
): Promise<RunResult> {
  let page: Page | undefined;
  try {
    switch (kind) {
      case 'whip publish':
        page = await openWhipPage(browser, baseUrl, `bench-publish-${run}`);
        return await measure(page, kind, '#publish', 'connectedAt');
      case 'kurento publish':
        page = await openOneToManyPage(browser, baseUrl);
        return await measure(page, kind, '#present', 'connectedAt');
      case 'whep play':
        page = await openWhipPage(browser, baseUrl, 'bench-standing');
        return await measure(page, kind, '#play', 'frameAt');
      case 'kurento play':
        page = await openOneToManyPage(browser, baseUrl);
        return await measure(page, kind, '#view', 'frameAt');
      default:
        throw new Error(`no such run: ${kind satisfies never}`);
    }
  } finally {
    await page?.click('#stop').catch(() => undefined);
    await page?.close();
    await delay(settleMs);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Alternates the two kinds run by run (`runs` of each after one unmeasured warm-up of each). */
async function alternate(
  browser: Browser,
  baseUrl: string,
  kinds: readonly [Kind, Kind],
  results: RunResult[],
  failures: string[],
): Promise<void> {
  for (const kind of kinds) await runOnce(browser, baseUrl, kind, -1);
  for (let run = 0; run < runs; run++) {
    const order = run % 2 === 0 ? kinds : ([kinds[1], kinds[0]] as const);
    for (const kind of order) {
      try {
        results.push(await runOnce(browser, baseUrl, kind, run));
      } catch (error) {
        failures.push(`${kind} run ${run}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  }
}

if (!existsSync(demoServerScript)) {
  throw new Error(`${demoServerScript} is missing: run "npm run build" first.`);
}
if (process.env.MEDLEY_ISOLATED !== '1') {
  console.warn(
    'warning: not inside scripts/isolated.sh; ICE may use other interfaces than loopback',
  );
}
const mediaRoot = await mkdtemp(join(tmpdir(), 'medley-bench-whip-setup-'));
const demoServer = await startNodeProcess([demoServerScript], /Medley demos at (http:\/\/\S+?)\//, {
  env: {
    PORT: '0',
    HOST: '127.0.0.1',
    MEDIA_ROOT: mediaRoot,
    SESSION_GRACE_MS: '3000',
    WHIP_TOKEN: whipToken,
  },
});
const browser = await chromium.launch(chromiumLaunchOptions);
const standing: Page[] = [];
try {
  const baseUrl = demoServer.ready[1] as string;
  console.log(
    `WHIP/WHEP set-up beside the Kurento-Protocol path, ${runs} runs per kind, alternating`,
  );
  const results: RunResult[] = [];
  const failures: string[] = [];
  await alternate(browser, baseUrl, ['whip publish', 'kurento publish'], results, failures);

  // The publishers the viewers play: a WHIP publication and a one-to-many presenter.
  const whipPublisher = await openWhipPage(browser, baseUrl, 'bench-standing');
  standing.push(whipPublisher);
  await measure(whipPublisher, 'whip publish', '#publish', 'connectedAt');
  const presenter = await openOneToManyPage(browser, baseUrl);
  standing.push(presenter);
  await measure(presenter, 'kurento publish', '#present', 'connectedAt');
  await alternate(browser, baseUrl, ['whep play', 'kurento play'], results, failures);

  const summaries: Record<string, { total: Summary; offerToAnswer: Summary }> = {};
  for (const kind of ['whip publish', 'kurento publish', 'whep play', 'kurento play'] as const) {
    const mine = results.filter((result) => result.kind === kind);
    summaries[kind] = {
      total: summarize(mine.map((result) => result.totalMs)),
      offerToAnswer: summarize(mine.map((result) => result.offerToAnswerMs)),
    };
  }
  const line = (kind: Kind, what: string) => {
    const summary = summaries[kind] as { total: Summary; offerToAnswer: Summary };
    return [
      row(`${kind}: offer → ${what}`, summary.total),
      row('  offer → answer', summary.offerToAnswer),
    ];
  };
  console.log('');
  printTable(
    ['ms', 'median', 'p90', 'min', 'max'],
    [
      ...line('whip publish', 'connected'),
      ...line('kurento publish', 'connected'),
      ...line('whep play', 'first frame'),
      ...line('kurento play', 'first frame'),
    ],
  );
  for (const failure of failures) console.log(`  failed: ${failure}`);
  const path = await writeResults('whip-setup', {
    ...machineContext(),
    browser: `Chromium ${browser.version()}`,
    runsPerKind: runs,
    summaries,
    failures,
    runs: results,
  });
  console.log(`\n  written to ${path}`);
} finally {
  for (const page of standing) await page.click('#stop').catch(() => undefined);
  await browser.close();
  await demoServer.stop();
  await rm(mediaRoot, { recursive: true, force: true });
}

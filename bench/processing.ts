// The processing plane's cost: CPU of one 640x480 30 fps transcode (VP8 → H.264 and back) beside
// the same GStreamer chain run alone by gst-launch-1.0 (the floor), and the latency a filter
// stage adds to a Chromium loopback.
//
//   scripts/isolated.sh npx tsx bench/processing.ts [--seconds 20]
//
// Transcode: Chromium sends a 640x480 30 fps picture (GStreamer's "ball" test pattern, given to
// Chromium as its fake camera) to a WebRtcEndpoint; a second peer in the same page receives it in
// the publisher's codec (forwarding: the baseline of the Node process) and then in the other codec
// (transcoded). Medley's cost of the transcode = the stage process's CPU + what the Node process
// used beyond forwarding. The floor: gst-launch-1.0 fed the same pattern, encoded like the
// browser's stream, over UDP, running exactly the stage's chain (jitter buffer, depay, decode,
// convert, encode, pay, UDP out). Only the floor's receiving process is counted.
//
// Latency: the page flashes its canvas between black and white every 500 ms and times when each
// flash shows in the received video (requestVideoFrameCallback, same clock), for a plain
// loopback and for one through GStreamerFilter('videoflip method=horizontal-flip').
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Browser, chromium, type Page } from '@playwright/test';
import {
  connect,
  type MediaPipeline,
  type WebRtcEndpoint,
} from '../packages/media-client/src/index.js';
import { createMediaServer } from '../packages/media-server/src/index.js';
import {
  decodeChain,
  encodeChain,
  LEAKY_QUEUE,
  rawConversion,
} from '../packages/media-server/src/processing/codecElements.js';
import { chromiumLaunchOptions } from '../scripts/chromium.js';
import { cpuMilliseconds } from './support/processStats.js';
import { machineContext, writeResults } from './support/results.js';
import { summarize } from './support/statistics.js';
import { printTable } from './support/table.js';

const seconds = numberArgument('--seconds', 20);
const WIDTH = 640;
const HEIGHT = 480;
const BITRATE = 1_000_000;

type Codec = 'VP8' | 'H264';
const CODECS = {
  VP8: { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 },
  H264: {
    mimeType: 'video/H264',
    payloadType: 102,
    clockRate: 90000,
    parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  },
} as const;
/** How the floor's sender encodes, like a browser would (not counted). */
const SOURCE_ENCODER: Record<Codec, string> = {
  VP8: `vp8enc deadline=1 cpu-used=8 end-usage=cbr target-bitrate=${BITRATE} lag-in-frames=0 ! rtpvp8pay pt=96 mtu=1200`,
  // OpenH264, the encoder Chromium itself sends H.264 with.
  H264: `openh264enc bitrate=${BITRATE} complexity=low ! video/x-h264,profile=constrained-baseline ! rtph264pay pt=102 mtu=1200 config-interval=-1`,
};

// Runs in the page: a publisher and a receiver peer connection, each restricted to one codec.
const PAGE_SCRIPT = `
window.bench = {};
window.bench.peer = async (role, codec, flashing) => {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const state = { pc, candidates: [], flashes: [], shown: [] };
  pc.onicecandidate = (event) => { if (event.candidate) state.candidates.push(event.candidate.toJSON()); };
  let stream;
  if (role === 'publisher' && flashing) {
    const canvas = document.createElement('canvas');
    canvas.width = 320; canvas.height = 240;
    const context = canvas.getContext('2d');
    const track = canvas.captureStream(0).getVideoTracks()[0];
    let white = false;
    let last = performance.now();
    setInterval(() => {
      const now = performance.now();
      if (now - last >= 500) { white = !white; last = now; state.flashes.push({ at: now, white }); }
      context.fillStyle = white ? '#fff' : '#000';
      context.fillRect(0, 0, 320, 240);
      track.requestFrame();
    }, 10);
    stream = new MediaStream([track]);
  } else if (role === 'publisher') {
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: ${WIDTH}, height: ${HEIGHT}, frameRate: 30 } });
  }
  const transceiver = stream
    ? pc.addTransceiver(stream.getVideoTracks()[0], { direction: flashing ? 'sendrecv' : 'sendonly', streams: [stream] })
    : pc.addTransceiver('video', { direction: 'recvonly' });
  const capabilities = (stream ? RTCRtpSender : RTCRtpReceiver).getCapabilities('video').codecs;
  transceiver.setCodecPreferences(capabilities.filter((c) => c.mimeType === 'video/' + codec &&
    (codec !== 'H264' || /packetization-mode=1/.test(c.sdpFmtpLine ?? ''))));
  if (stream && !flashing) {
    const parameters = transceiver.sender.getParameters();
    parameters.encodings[0].maxBitrate = ${BITRATE};
    await transceiver.sender.setParameters(parameters).catch(() => {});
  }
  pc.ontrack = (event) => {
    const video = document.createElement('video');
    video.muted = true; video.autoplay = true;
    video.srcObject = new MediaStream([event.track]);
    document.body.appendChild(video);
    const canvas = document.createElement('canvas');
    canvas.width = 8; canvas.height = 8;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    let white = null;
    const onFrame = () => {
      context.drawImage(video, 0, 0, 8, 8);
      const level = context.getImageData(4, 4, 1, 1).data[0];
      const nowWhite = level > 128;
      if (white !== null && nowWhite !== white) state.shown.push({ at: performance.now(), white: nowWhite });
      white = nowWhite;
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  };
  window.bench[role] = state;
  await pc.setLocalDescription(await pc.createOffer());
  return pc.localDescription.sdp;
};
window.bench.answer = (role, sdp) => window.bench[role].pc.setRemoteDescription({ type: 'answer', sdp });
window.bench.candidate = (role, candidate) => window.bench[role].pc.addIceCandidate(candidate);
window.bench.takeCandidates = (role) => window.bench[role].candidates.splice(0);
window.bench.framesDecoded = async (role) => {
  let frames = 0;
  (await window.bench[role].pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp') frames += r.framesDecoded ?? 0; });
  return frames;
};
window.bench.latencies = () => {
  const { flashes } = window.bench.publisher;
  const { shown } = window.bench.receiver ?? window.bench.publisher;
  return shown.map((change) => {
    const flash = [...flashes].reverse().find((f) => f.white === change.white && f.at <= change.at);
    return flash ? change.at - flash.at : null;
  }).filter((value) => value !== null);
};
window.bench.close = (role) => window.bench[role]?.pc.close();
`;

declare global {
  interface Window {
    bench: {
      peer(role: string, codec: string, flashing: boolean): Promise<string>;
      answer(role: string, sdp: string): Promise<void>;
      candidate(role: string, candidate: RTCIceCandidateInit): Promise<void>;
      takeCandidates(role: string): RTCIceCandidateInit[];
      framesDecoded(role: string): Promise<number>;
      latencies(): number[];
      close(role: string): void;
    };
  }
}

interface TranscodeResult {
  readonly from: Codec;
  readonly to: Codec;
  /** Share of one core, over the measured window. */
  readonly floorCore: number;
  readonly medleyStageCore: number;
  readonly medleyNodeExtraCore: number;
  readonly medleyTotalCore: number;
  readonly ratioToFloor: number;
  readonly framesPerSecondDecoded: number;
}

/** getUserMedia needs a secure context: a page from 127.0.0.1 is one, about:blank is not. */
let pageUrl = '';

async function servePage(): Promise<Server> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html' });
    response.end('<!doctype html><title>processing bench</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return server;
}

async function main(): Promise<void> {
  const pageServer = await servePage();
  const work = await mkdtemp(join(tmpdir(), 'medley-bench-processing-'));
  try {
    const y4m = join(work, 'ball.y4m');
    await run(
      'gst-launch-1.0',
      [
        '-q',
        `videotestsrc pattern=ball num-buffers=90 ! video/x-raw,width=${WIDTH},height=${HEIGHT},framerate=30/1,format=I420 ! y4menc ! filesink location=${y4m}`,
      ].flatMap((part, index) => (index === 0 ? [part] : part.split(' '))),
    );
    const browser = await chromium.launch({
      ...chromiumLaunchOptions,
      args: [...chromiumLaunchOptions.args, `--use-file-for-fake-video-capture=${y4m}`],
    });
    try {
      const transcodes: TranscodeResult[] = [];
      for (const [from, to] of [
        ['VP8', 'H264'],
        ['H264', 'VP8'],
      ] as const) {
        const floor = await measureFloor(from, to);
        const medley = await measureMedley(browser, from, to);
        const total = medley.stageCore + medley.nodeExtraCore;
        transcodes.push({
          from,
          to,
          floorCore: floor,
          medleyStageCore: medley.stageCore,
          medleyNodeExtraCore: medley.nodeExtraCore,
          medleyTotalCore: total,
          ratioToFloor: total / floor,
          framesPerSecondDecoded: medley.framesPerSecond,
        });
      }
      printTable(
        [
          'transcode',
          'floor (core)',
          'Medley stage',
          'Medley Node extra',
          'Medley total',
          'x floor',
          'fps decoded',
        ],
        transcodes.map((result) => [
          `${result.from} → ${result.to}`,
          result.floorCore.toFixed(3),
          result.medleyStageCore.toFixed(3),
          result.medleyNodeExtraCore.toFixed(3),
          result.medleyTotalCore.toFixed(3),
          result.ratioToFloor.toFixed(2),
          result.framesPerSecondDecoded.toFixed(1),
        ]),
      );
      const latency = await measureFilterLatency(browser);
      printTable(
        ['loopback', 'median ms', 'p90 ms', 'samples'],
        [
          [
            'plain',
            latency.plain.median.toFixed(1),
            latency.plain.p90.toFixed(1),
            String(latency.plain.count),
          ],
          [
            'through videoflip',
            latency.filtered.median.toFixed(1),
            latency.filtered.p90.toFixed(1),
            String(latency.filtered.count),
          ],
        ],
      );
      const path = await writeResults('processing', {
        context: machineContext(),
        seconds,
        transcodes,
        filterLatencyMs: latency,
        addedLatencyMedianMs: latency.filtered.median - latency.plain.median,
      });
      console.log(`results: ${path}`);
    } finally {
      await browser.close();
    }
  } finally {
    pageServer.close();
    await rm(work, { recursive: true, force: true });
  }
}

/** CPU share of one core used by gst-launch running the stage's chain alone. */
async function measureFloor(from: Codec, to: Codec): Promise<number> {
  const sink = createSocket('udp4');
  await new Promise<void>((resolve) => sink.bind(0, '127.0.0.1', resolve));
  const sinkPort = sink.address().port;
  const inputPort = 46000 + Math.floor(Math.random() * 1000);
  const chain =
    `${decodeChain('floor', CODECS[from]).replace('udpsrc name=floor_in', `udpsrc port=${inputPort}`)} ! ` +
    `${rawConversion('video', 'floor_raw')} ! ${LEAKY_QUEUE} ! ` +
    encodeChain('floor', CODECS[to], { bitrate: BITRATE }).replace(
      'udpsink name=floor_out',
      `udpsink host=127.0.0.1 port=${sinkPort}`,
    );
  const receiver = spawn('gst-launch-1.0', ['-q', ...splitLaunch(chain)], { stdio: 'ignore' });
  await sleep(500);
  const sender = spawn(
    'gst-launch-1.0',
    [
      '-q',
      ...splitLaunch(
        `videotestsrc is-live=true pattern=ball ! video/x-raw,width=${WIDTH},height=${HEIGHT},framerate=30/1 ! ${SOURCE_ENCODER[from]} ! udpsink host=127.0.0.1 port=${inputPort}`,
      ),
    ],
    { stdio: 'ignore' },
  );
  try {
    await sleep(3000);
    const pid = receiver.pid as number;
    const before = cpuMilliseconds(pid);
    const startedAt = performance.now();
    await sleep(seconds * 1000);
    return (cpuMilliseconds(pid) - before) / (performance.now() - startedAt);
  } finally {
    sender.kill('SIGKILL');
    receiver.kill('SIGKILL');
    sink.close();
  }
}

/** Forwarding first (the Node baseline), then the transcode; CPU shares of one core. */
async function measureMedley(
  browser: Browser,
  from: Codec,
  to: Codec,
): Promise<{ stageCore: number; nodeExtraCore: number; framesPerSecond: number }> {
  const server = await createMediaServer({ port: 0, logLevel: 'warn' });
  const client = await connect(server.url);
  const page = await browser.newPage();
  try {
    await page.goto(pageUrl);
    await page.addScriptTag({ content: PAGE_SCRIPT });
    const pipeline = await client.create('MediaPipeline');
    const publisher = await negotiate(page, pipeline, 'publisher', from, false);
    const forwarded = await negotiate(page, pipeline, 'receiver', from, false);
    await publisher.connect(forwarded);
    await sleep(3000);
    const forwarding = await measureNode(page, seconds);
    await page.evaluate(() => window.bench.close('receiver'));
    await forwarded.release();
    const transcoded = await negotiate(page, pipeline, 'receiver', to, false);
    await publisher.connect(transcoded);
    await sleep(3000);
    const stages = await stagePids();
    if (stages.length !== 1)
      throw new Error(`expected one transcoder stage, found ${stages.length}`);
    const stageBefore = stages.map(cpuMilliseconds);
    const transcoding = await measureNode(page, seconds);
    const stageCore =
      stages.reduce(
        (sum, pid, index) => sum + cpuMilliseconds(pid) - (stageBefore[index] as number),
        0,
      ) / transcoding.elapsedMs;
    await pipeline.release();
    return {
      stageCore,
      nodeExtraCore: Math.max(0, transcoding.nodeCore - forwarding.nodeCore),
      framesPerSecond: transcoding.framesPerSecond,
    };
  } finally {
    await page.close();
    await client.close();
    await server.close();
  }
}

async function measureNode(page: Page, windowSeconds: number) {
  const framesBefore = await page.evaluate(() => window.bench.framesDecoded('receiver'));
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  await sleep(windowSeconds * 1000);
  const cpu = process.cpuUsage(cpuBefore);
  const elapsedMs = performance.now() - startedAt;
  const frames = (await page.evaluate(() => window.bench.framesDecoded('receiver'))) - framesBefore;
  return {
    nodeCore: (cpu.user + cpu.system) / 1000 / elapsedMs,
    framesPerSecond: frames / (elapsedMs / 1000),
    elapsedMs,
  };
}

/** Glass-to-glass latency of a flashing canvas looped back, plain and through a filter. */
async function measureFilterLatency(browser: Browser) {
  const server = await createMediaServer({ port: 0, logLevel: 'warn' });
  const client = await connect(server.url);
  try {
    const sample = async (filtered: boolean) => {
      const page = await browser.newPage();
      try {
        await page.goto(pageUrl);
        await page.addScriptTag({ content: PAGE_SCRIPT });
        const pipeline = await client.create('MediaPipeline');
        const endpoint = await pipeline.create('WebRtcEndpoint');
        if (filtered) {
          const filter = await pipeline.create('GStreamerFilter', {
            command: 'videoflip method=horizontal-flip',
          });
          await endpoint.connect(filter);
          await filter.connect(endpoint);
        } else {
          await endpoint.connect(endpoint);
        }
        await exchange(page, endpoint, 'publisher', 'VP8', true);
        await sleep(3000 + seconds * 1000);
        const latencies = await page.evaluate(() => window.bench.latencies());
        await pipeline.release();
        return summarize(latencies.slice(4));
      } finally {
        await page.close();
      }
    };
    return { plain: await sample(false), filtered: await sample(true) };
  } finally {
    await client.close();
    await server.close();
  }
}

async function negotiate(
  page: Page,
  pipeline: MediaPipeline,
  role: string,
  codec: Codec,
  flashing: boolean,
): Promise<WebRtcEndpoint> {
  const endpoint = await pipeline.create('WebRtcEndpoint');
  await exchange(page, endpoint, role, codec, flashing);
  return endpoint;
}

/** The page's offer, the endpoint's answer, and candidates both ways. */
async function exchange(
  page: Page,
  endpoint: WebRtcEndpoint,
  role: string,
  codec: Codec,
  flashing: boolean,
): Promise<void> {
  await endpoint.on('IceCandidateFound', ({ candidate }) => {
    void page.evaluate(([peerRole, init]) => window.bench.candidate(peerRole, init), [
      role,
      candidate as RTCIceCandidateInit,
    ] as const);
  });
  const offer = await page.evaluate(
    ([peerRole, peerCodec, flash]) => window.bench.peer(peerRole, peerCodec, flash),
    [role, codec, flashing] as const,
  );
  const answer = await endpoint.processOffer(offer);
  await page.evaluate(([peerRole, sdp]) => window.bench.answer(peerRole, sdp), [
    role,
    answer,
  ] as const);
  await endpoint.gatherCandidates();
  await sleep(300);
  for (const candidate of await page.evaluate(
    (peerRole) => window.bench.takeCandidates(peerRole),
    role,
  ))
    await endpoint.addIceCandidate({
      candidate: candidate.candidate ?? '',
      sdpMid: candidate.sdpMid ?? '0',
      sdpMLineIndex: candidate.sdpMLineIndex ?? 0,
    });
}

/** The GStreamer stage processes this process started. */
async function stagePids(): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) !== process.pid) continue;
    const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (commandLine.includes('medley_gst_stage')) pids.push(Number(entry));
  }
  return pids;
}

/** gst-launch takes its pipeline as separate arguments; quoted caps stay whole. */
function splitLaunch(description: string): string[] {
  return (description.match(/(?:[^\s"]+|"[^"]*")+/g) ?? []).map((part) => part.replaceAll('"', ''));
}

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`)),
    );
  });
}

function numberArgument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} takes a positive number`);
  return value;
}

await main();

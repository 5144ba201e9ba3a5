// What a Composite (Kurento's MCU) costs against a bare GStreamer mix of the same inputs, what a
// FaceOverlayFilter costs and delays against a plain loopback, and how long the picture that a
// participant sees freezes while another joins or leaves.
//
//   scripts/isolated.sh npx tsx bench/composite.ts [--seconds 5] [--only composite|freeze|face]
//
// The server runs as its CLI in a child process (`--max-load 1`: a busy machine must not make
// it refuse the bench's endpoints), so its CPU is its own. What is measured (the server, its
// stages, the floor's process) runs at nice -10, what feeds it (this process, the source, Chromium)
// at -5, as a media host would favour its server: on two cores shared with other work, a
// descheduled multi-threaded codec otherwise spins and starves, and neither side holds 30 fps.
//
// Composite, at 2, 4, 6 and 9 participants, each level measured twice, interleaved (floor,
// Medley, floor, Medley) so that the load other work puts on the machine falls on both. What
// feeds it (not counted): one gst-launch-1.0 encodes a 640x480 30 fps `ball` pattern to VP8
// (1 Mb/s, a keyframe every second, as it cannot answer keyframe requests) and a tone to Opus,
// once; the bench process copies every packet to each participant. A participant is a werift
// peer in the bench process (send and receive, decodes nothing) with its WebRtcEndpoint and
// HubPort; the Composite mixes 640x480 at 30 fps.
// - Medley = the Composite's stage process + what the server's Node process used beyond plain
//   forwarding of the same participants (each endpoint looped back to itself, measured just
//   before, same peers, same packets).
// - Floor = one gst-launch-1.0 running the mix alone, fed the same packets as plain RTP over
//   UDP: N × (jitter buffer, VP8 decode, leaky queue) into one compositor laid out by the
//   Composite's own gridLayout over a live black background, one VP8 encode; and the audio as
//   the stage mixes it, N × (Opus decode to a tee), for each participant a mixer of the N-1
//   others over live silence and its own Opus encode. Only that process is counted.
//
// Face overlay: Chromium's fake camera shows a still 640x480 face (the NASA portrait of
// /usr/local/share/medley/astronaut.png made into a y4m); the stream is looped back plain and
// through a FaceOverlayFilter drawing a hat over the face. Counted: the filter's stage process and
// the server's Node beyond the plain loopback. Latency: a canvas showing the same face with a
// corner patch that turns black/white every 500 ms, timed from the draw to the received frame
// that shows it (requestVideoFrameCallback, same page clock), plain and through the filter.
//
// Freeze: three participants in a Composite, a Chromium viewer of the first one's output
// (requestVideoFrameCallback times of every frame it shows); a fourth joins and leaves, three
// times; the largest gap between shown frames around each join and each leave, beside the
// frame interval and the largest gap before any join.

import { execFileSync } from 'node:child_process';
import type { Socket } from 'node:dgram';
import { mkdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Browser, chromium, type Page } from '@playwright/test';
import type { RTCPeerConnection } from 'werift';
import {
  type Composite,
  connect,
  type HubPort,
  type MediaClient,
  type MediaPipeline,
  type WebRtcEndpoint,
} from '../packages/media-client/src/index.js';
import {
  decodeChain,
  encodeChain,
  LEAKY_QUEUE,
} from '../packages/media-server/src/processing/codecElements.js';
import { gridLayout } from '../packages/media-server/src/processing/gridLayout.js';
import { chromiumLaunchOptions } from '../scripts/chromium.js';
import { setSchedulingPriority, startNodeProcess } from './support/childProcess.js';
import { startGstLaunch } from './support/gstLaunch.js';
import { watchMachineLoad } from './support/machineLoad.js';
import { cpuMilliseconds } from './support/processStats.js';
import { machineContext, writeResults } from './support/results.js';
import { processTree, stageProcessIds } from './support/stageProcesses.js';
import { type Summary, summarize } from './support/statistics.js';
import { printTable } from './support/table.js';
import {
  boundSocket,
  freeUdpPorts,
  type RtpTarget,
  SOURCE_AUDIO_PAYLOAD_TYPE,
  SOURCE_VIDEO_PAYLOAD_TYPE,
  TestPatternSource,
  udpTarget,
} from './support/testPatternSource.js';
import { createVp8OpusOffer } from './support/weriftPeers.js';

const windowSeconds = numberArgument('--seconds', 5);
const PARTS = ['composite', 'freeze', 'face'] as const;
const only = partArgument();
const runs = (part: (typeof PARTS)[number]) => only === undefined || only === part;
const WIDTH = 640;
const HEIGHT = 480;
const FRAMERATE = 30;
const BITRATE = 1_000_000;
const LEVELS = listArgument('--participants', [2, 4, 6, 9]);
const ROUNDS = 2;
const COMPOSITE_SETTINGS = { width: WIDTH, height: HEIGHT, framerate: FRAMERATE };
const FLOOR_WARM_UP_MS = 2500;
const LOOPBACK_WARM_UP_MS = 1500;
/** The stage starts, every input waits for a keyframe (one a second), the grid settles. */
const COMPOSITE_WARM_UP_MS = 3500;
const FACE_PICTURE = '/usr/local/share/medley/astronaut.png';
/** Where the hat goes for this picture's face, as the magic-mirror e2e places it. */
const HAT_PLACEMENT = [-0.35, -1.2, 1.6, 1.6] as const;
const HAT_POINT = [0.43, 0.1] as const;
const JOIN_WATCH_MS = 3500;
const MEASURED_NICE = -10;
/** The longest wait for a mix to flow before measuring it anyway (and seeing its low fps). */
const FLOW_TIMEOUT_MS = 20_000;
const startedAt = performance.now();
/** A progress line, with the seconds since the bench started. */
const log = (line: string) =>
  console.log(`[${((performance.now() - startedAt) / 1000).toFixed(0)} s] ${line}`);
const FEEDER_NICE = -5;
const FREEZE_CYCLES = 3;

const VP8 = { mimeType: 'video/VP8', payloadType: SOURCE_VIDEO_PAYLOAD_TYPE, clockRate: 90000 };
const OPUS = {
  mimeType: 'audio/opus',
  payloadType: SOURCE_AUDIO_PAYLOAD_TYPE,
  clockRate: 48000,
  channels: 2,
};
/** As CompositeMixer sets its mixers (MIXER_LATENCY_NS) and its raw audio (RAW_AUDIO). */
const MIXER_LATENCY_NS = 100_000_000;
const RAW_AUDIO = 'audio/x-raw,rate=48000,channels=2';
const MIX_AUDIO_BITRATE = 64_000;

// Runs in the page: peers that send the fake camera, a flashing face canvas or nothing, and
// watch every frame they receive.
const PAGE_SCRIPT = `
window.compositeBench = (() => {
  const peers = {};
  const FLASH = { x: 560, y: 400, size: 80 };
  async function flashingFace(state) {
    const image = new Image();
    image.src = '/face.png';
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = ${WIDTH}; canvas.height = ${HEIGHT};
    const context = canvas.getContext('2d');
    const track = canvas.captureStream(0).getVideoTracks()[0];
    let white = false;
    let last = performance.now();
    setInterval(() => {
      const now = performance.now();
      if (now - last >= 500) { white = !white; last = now; state.flashes.push({ at: now, white }); }
      context.drawImage(image, 0, 0, ${WIDTH}, ${HEIGHT});
      context.fillStyle = white ? '#fff' : '#000';
      context.fillRect(FLASH.x, FLASH.y, FLASH.size, FLASH.size);
      track.requestFrame();
    }, ${1000 / FRAMERATE});
    return track;
  }
  function watch(state, track) {
    const video = document.createElement('video');
    video.muted = true; video.autoplay = true; video.playsInline = true;
    video.srcObject = new MediaStream([track]);
    document.body.appendChild(video);
    state.video = video;
    const probe = document.createElement('canvas');
    probe.width = 1; probe.height = 1;
    const context = probe.getContext('2d', { willReadFrequently: true });
    let white = null;
    const onFrame = (now) => {
      state.frames.push(now);
      if (state.flashing) {
        // In fractions of the picture: a loaded sender may scale it down.
        const sx = video.videoWidth / ${WIDTH};
        const sy = video.videoHeight / ${HEIGHT};
        context.drawImage(video, (FLASH.x + 20) * sx, (FLASH.y + 20) * sy, 40 * sx, 40 * sy, 0, 0, 1, 1);
        const isWhite = context.getImageData(0, 0, 1, 1).data[0] > 128;
        if (white !== null && isWhite !== white) state.shown.push({ at: performance.now(), white: isWhite });
        white = isWhite;
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
  }
  return {
    async offer(id, send) {
      const pc = new RTCPeerConnection({ iceServers: [] });
      const state = { pc, frames: [], flashes: [], shown: [], flashing: send === 'face-canvas' };
      peers[id] = state;
      let track;
      if (send === 'camera') {
        const stream = await navigator.mediaDevices.getUserMedia({ video: { width: ${WIDTH}, height: ${HEIGHT}, frameRate: ${FRAMERATE} } });
        track = stream.getVideoTracks()[0];
      } else if (send === 'face-canvas') {
        track = await flashingFace(state);
      }
      // Keep the size (Chromium scales down under load): the filter's cost depends on it.
      if (track) track.contentHint = 'detail';
      const transceiver = track
        ? pc.addTransceiver(track, { direction: 'sendrecv' })
        : pc.addTransceiver('video', { direction: 'recvonly' });
      transceiver.setCodecPreferences(RTCRtpReceiver.getCapabilities('video').codecs.filter((c) => c.mimeType === 'video/VP8'));
      pc.ontrack = (event) => watch(state, event.track);
      await pc.setLocalDescription(await pc.createOffer());
      if (pc.iceGatheringState !== 'complete')
        await new Promise((resolve) => pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); }));
      return pc.localDescription.sdp;
    },
    answer: (id, sdp) => peers[id].pc.setRemoteDescription({ type: 'answer', sdp }),
    now: () => performance.now(),
    frameTimes: (id) => peers[id].frames.slice(),
    latencies(id) {
      const { flashes, shown } = peers[id];
      return shown.map((change) => {
        const flash = [...flashes].reverse().find((f) => f.white === change.white && f.at <= change.at);
        return flash ? change.at - flash.at : null;
      }).filter((value) => value !== null);
    },
    colourAt(id, x, y) {
      const { video } = peers[id];
      if (!video || video.videoWidth === 0) return [0, 0, 0];
      const canvas = document.createElement('canvas');
      canvas.width = 1; canvas.height = 1;
      const context = canvas.getContext('2d', { willReadFrequently: true });
      context.drawImage(video, x * video.videoWidth, y * video.videoHeight, 1, 1, 0, 0, 1, 1);
      return [...context.getImageData(0, 0, 1, 1).data.slice(0, 3)];
    },
    close(id) { peers[id]?.pc.close(); delete peers[id]; },
  };
})();
`;

type PageSource = 'camera' | 'face-canvas' | 'none';

declare global {
  interface Window {
    compositeBench: {
      offer(id: string, send: PageSource): Promise<string>;
      answer(id: string, sdp: string): Promise<void>;
      now(): number;
      frameTimes(id: string): number[];
      latencies(id: string): number[];
      colourAt(id: string, x: number, y: number): [number, number, number];
      close(id: string): void;
    };
  }
}

/** A participant: a werift peer in this process with its WebRtcEndpoint on the server. */
class Participant {
  framesReceived = 0;
  videoBytesReceived = 0;
  readonly endpoint: WebRtcEndpoint;
  readonly target: RtpTarget;
  readonly #peer: RTCPeerConnection;

  private constructor(endpoint: WebRtcEndpoint, peer: RTCPeerConnection, target: RtpTarget) {
    this.endpoint = endpoint;
    this.#peer = peer;
    this.target = target;
  }

  static async join(pipeline: MediaPipeline): Promise<Participant> {
    const endpoint = await pipeline.create('WebRtcEndpoint');
    const { sdp, peer } = await createVp8OpusOffer();
    const audio = peer.getTransceivers().find((transceiver) => transceiver.kind === 'audio');
    const video = peer.getTransceivers().find((transceiver) => transceiver.kind === 'video');
    if (!audio || !video) throw new Error('the werift offer lacks an audio or a video transceiver');
    const ignore = () => undefined;
    const participant = new Participant(endpoint, peer, {
      sendVideo: (packet) => void video.sender.sendRtp(packet).catch(ignore),
      sendAudio: (packet) => void audio.sender.sendRtp(packet).catch(ignore),
    });
    video.onTrack.subscribe((track) => {
      let lastTimestamp = -1;
      track.onReceiveRtp.subscribe((rtp) => {
        participant.videoBytesReceived += rtp.payload.length;
        if (rtp.header.timestamp === lastTimestamp) return;
        lastTimestamp = rtp.header.timestamp;
        participant.framesReceived++;
      });
    });
    const connected = waitConnected(peer);
    const answer = await endpoint.processOffer(sdp);
    await peer.setRemoteDescription({ type: 'answer', sdp: answer });
    await connected;
    return participant;
  }

  async leave(): Promise<void> {
    await this.endpoint.release();
    await this.#peer.close();
  }
}

interface LevelRound {
  readonly participants: number;
  readonly round: number;
  /** Shares of one core, over the window. */
  readonly floorCore: number;
  readonly stageCore: number;
  readonly nodeForwardingCore: number;
  readonly nodeCompositeCore: number;
  readonly nodeExtraCore: number;
  readonly medleyTotalCore: number;
  readonly ratioToFloor: number;
  /** Frames per second and kb/s of the mixed video: at the floor's sink, at the first participant. */
  readonly floorMixFps: number;
  readonly floorMixKbps: number;
  readonly medleyMixFps: number;
  readonly medleyMixKbps: number;
  /** CPU per mixed frame sent (ms): fair when a starved side mixes fewer frames. */
  readonly floorCpuMsPerMixedFrame: number;
  readonly medleyCpuMsPerMixedFrame: number;
  readonly machineBusyPercentFloor: number;
  readonly machineBusyPercentMedley: number;
}

/**
 * Waits at least `minimumMs` and until the mix flows (its frame count rose by half a second's
 * worth): a stage starting on a loaded machine can take seconds, and a window measured before
 * its first frames would count a start, not a mix.
 */
async function warmUp(minimumMs: number, frames: () => number): Promise<void> {
  const startedAt = performance.now();
  const first = frames();
  while (frames() - first < FRAMERATE / 2 && performance.now() - startedAt < FLOW_TIMEOUT_MS)
    await sleep(250);
  const left = minimumMs - (performance.now() - startedAt);
  if (left > 0) await sleep(left);
}

/** Every process's CPU (share of one core) over a window of `windowSeconds`, and the machine's. */
async function cpuOverWindow(pids: readonly number[]) {
  const before = pids.map(cpuMilliseconds);
  const machineBusy = watchMachineLoad();
  const startedAt = performance.now();
  await sleep(windowSeconds * 1000);
  const elapsedMs = performance.now() - startedAt;
  return {
    cores: pids.map((pid, index) => (cpuMilliseconds(pid) - (before[index] as number)) / elapsedMs),
    elapsedMs,
    machineBusyPercent: machineBusy(),
  };
}

/** The bare mix of `count` inputs in gst-launch-1.0: what the Composite's stage runs, alone. */
function floorPipeline(
  inputs: readonly { video: number; audio: number }[],
  output: { video: number; audio: number },
): string {
  const picture = `video/x-raw,width=${WIDTH},height=${HEIGHT},framerate=${FRAMERATE}/1`;
  const to = (port: number) => ` host=127.0.0.1 port=${port}`;
  const from = (chain: string, stream: string, port: number) =>
    chain.replace(`udpsrc name=${stream}_in`, `udpsrc name=${stream}_in port=${port}`);
  // The background takes sink_0; participant i takes sink_(i+1), placed as the Composite places it.
  const cells = gridLayout(inputs.length, WIDTH, HEIGHT)
    .map((cell, index) =>
      Object.entries({ ...cell, zorder: 1 })
        .map(([property, value]) => `sink_${index + 1}::${property}=${value}`)
        .join(' '),
    )
    .join(' ');
  const parts = [
    `videotestsrc is-live=true pattern=black ! ${picture} ! compositor name=mix background=black force-live=true latency=${MIXER_LATENCY_NS} ignore-inactive-pads=true ${cells} ! ` +
      `${picture} ! videoconvert ! ${LEAKY_QUEUE} ! ${encodeChain('mixv', VP8, { bitrate: BITRATE })}${to(output.video)}`,
  ];
  for (const [index, input] of inputs.entries()) {
    const video = `p${index}v`;
    const audio = `p${index}a`;
    parts.push(
      `${from(decodeChain(video, VP8), video, input.video)} ! queue max-size-buffers=3 max-size-bytes=0 max-size-time=0 leaky=downstream ! mix.sink_${index + 1}`,
      `${from(decodeChain(audio, OPUS), audio, input.audio)} ! audioconvert ! audioresample ! ${RAW_AUDIO} ! tee name=${audio}_tee allow-not-linked=true`,
      `audiotestsrc is-live=true wave=silence ! ${RAW_AUDIO} ! audiomixer name=p${index}o_mix force-live=true latency=${MIXER_LATENCY_NS} ignore-inactive-pads=true ! ` +
        `${encodeChain(`p${index}o`, OPUS, { bitrate: MIX_AUDIO_BITRATE })}${to(output.audio)}`,
    );
  }
  for (const speaker of inputs.keys())
    for (const listener of inputs.keys())
      if (speaker !== listener)
        parts.push(
          `p${speaker}a_tee. ! queue max-size-time=200000000 max-size-buffers=0 max-size-bytes=0 leaky=downstream ! p${listener}o_mix.`,
        );
  return parts.join(' ');
}

/** Counts the frames (distinct RTP timestamps) and payload bytes of the RTP arriving at a socket. */
function countRtp(socket: Socket) {
  const counts = { frames: 0, bytes: 0 };
  let lastTimestamp = -1;
  socket.on('message', (packet) => {
    if (packet.length < 12) return;
    counts.bytes += packet.length - 12;
    const timestamp = packet.readUInt32BE(4);
    if (timestamp !== lastTimestamp) counts.frames++;
    lastTimestamp = timestamp;
  });
  return counts;
}

async function measureFloor(count: number, source: TestPatternSource) {
  const ports = await freeUdpPorts(2 * count);
  const inputs = Array.from({ length: count }, (_, index) => ({
    video: ports[2 * index] as number,
    audio: ports[2 * index + 1] as number,
  }));
  const videoSink = await boundSocket();
  const audioSink = await boundSocket();
  const sender = await boundSocket();
  const video = countRtp(videoSink);
  const mixer = startGstLaunch(
    floorPipeline(inputs, { video: videoSink.address().port, audio: audioSink.address().port }),
  );
  try {
    setSchedulingPriority([mixer.pid as number], MEASURED_NICE);
    await sleep(500);
    source.targets = inputs.map((input) => udpTarget(sender, input.video, input.audio));
    await warmUp(FLOOR_WARM_UP_MS, () => video.frames);
    setSchedulingPriority([mixer.pid as number], MEASURED_NICE); // and the threads started since
    if (mixer.exitCode !== null)
      throw new Error(`the floor's gst-launch-1.0 exited (${mixer.exitCode})`);
    const framesBefore = video.frames;
    const bytesBefore = video.bytes;
    const measured = await cpuOverWindow([mixer.pid as number]);
    return {
      core: measured.cores[0] as number,
      mixFps: ((video.frames - framesBefore) * 1000) / measured.elapsedMs,
      mixKbps: ((video.bytes - bytesBefore) * 8) / measured.elapsedMs,
      machineBusyPercent: measured.machineBusyPercent,
    };
  } finally {
    source.targets = [];
    mixer.kill('SIGKILL');
    for (const socket of [videoSink, audioSink, sender]) socket.close();
  }
}

/** Joins the participants to a new Composite, each sending to and receiving from its port. */
async function compositeOf(
  pipeline: MediaPipeline,
  participants: readonly Participant[],
): Promise<{ composite: Composite; ports: HubPort[] }> {
  const composite = await pipeline.create('Composite', COMPOSITE_SETTINGS);
  const ports: HubPort[] = [];
  for (const participant of participants)
    ports.push(await joinPort(pipeline, composite, participant));
  return { composite, ports };
}

async function joinPort(
  pipeline: MediaPipeline,
  composite: Composite,
  participant: Participant,
): Promise<HubPort> {
  const port = await pipeline.create('HubPort', { hub: composite });
  await participant.endpoint.connect(port);
  await port.connect(participant.endpoint);
  return port;
}

async function measureMedley(
  pipeline: MediaPipeline,
  serverPid: number,
  participants: readonly Participant[],
  source: TestPatternSource,
) {
  try {
    for (const participant of participants)
      await participant.endpoint.connect(participant.endpoint);
    source.targets = participants.map((participant) => participant.target);
    await sleep(LOOPBACK_WARM_UP_MS);
    const forwarding = await cpuOverWindow([serverPid]);
    const { composite } = await compositeOf(pipeline, participants);
    try {
      const first = participants[0] as Participant;
      await warmUp(COMPOSITE_WARM_UP_MS, () => first.framesReceived);
      const stages = stageProcessIds(serverPid);
      if (stages.length !== 1)
        throw new Error(`expected one Composite stage, found ${stages.length}`);
      setSchedulingPriority(stages, MEASURED_NICE);
      const framesBefore = first.framesReceived;
      const bytesBefore = first.videoBytesReceived;
      const mixing = await cpuOverWindow([serverPid, ...stages]);
      const [nodeCore, stageCore] = mixing.cores as [number, number];
      return {
        stageCore,
        nodeForwardingCore: forwarding.cores[0] as number,
        nodeCompositeCore: nodeCore,
        mixFps: ((first.framesReceived - framesBefore) * 1000) / mixing.elapsedMs,
        mixKbps: ((first.videoBytesReceived - bytesBefore) * 8) / mixing.elapsedMs,
        machineBusyPercent: (forwarding.machineBusyPercent + mixing.machineBusyPercent) / 2,
      };
    } finally {
      await composite.release();
    }
  } finally {
    source.targets = [];
  }
}

async function measureComposite(
  pipeline: MediaPipeline,
  serverPid: number,
  source: TestPatternSource,
): Promise<{ rounds: LevelRound[]; pool: Participant[] }> {
  const pool: Participant[] = [];
  const rounds: LevelRound[] = [];
  for (const count of LEVELS) {
    while (pool.length < count) pool.push(await Participant.join(pipeline));
    for (let round = 1; round <= ROUNDS; round++) {
      const floor = await measureFloor(count, source);
      const medley = await measureMedley(pipeline, serverPid, pool.slice(0, count), source);
      const nodeExtraCore = medley.nodeCompositeCore - medley.nodeForwardingCore;
      const medleyTotalCore = medley.stageCore + Math.max(0, nodeExtraCore);
      const result: LevelRound = {
        participants: count,
        round,
        floorCore: floor.core,
        stageCore: medley.stageCore,
        nodeForwardingCore: medley.nodeForwardingCore,
        nodeCompositeCore: medley.nodeCompositeCore,
        nodeExtraCore,
        medleyTotalCore,
        ratioToFloor: medleyTotalCore / floor.core,
        floorMixFps: floor.mixFps,
        floorMixKbps: floor.mixKbps,
        medleyMixFps: medley.mixFps,
        medleyMixKbps: medley.mixKbps,
        floorCpuMsPerMixedFrame: (1000 * floor.core) / floor.mixFps,
        medleyCpuMsPerMixedFrame: (1000 * medleyTotalCore) / medley.mixFps,
        machineBusyPercentFloor: floor.machineBusyPercent,
        machineBusyPercentMedley: medley.machineBusyPercent,
      };
      rounds.push(result);
      log(
        `${count} participants, round ${round}: floor ${floor.core.toFixed(3)}, Medley ${medleyTotalCore.toFixed(3)} ` +
          `(stage ${medley.stageCore.toFixed(3)}, Node extra ${nodeExtraCore.toFixed(3)}), ` +
          `× ${result.ratioToFloor.toFixed(2)}; machine ${floor.machineBusyPercent.toFixed(0)} / ${medley.machineBusyPercent.toFixed(0)} % busy`,
      );
    }
  }
  return { rounds, pool };
}

/** The page's offer (candidates included), the endpoint's answer. */
async function connectPage(
  page: Page,
  endpoint: WebRtcEndpoint,
  id: string,
  send: PageSource,
): Promise<void> {
  const offer = await page.evaluate(([peerId, what]) => window.compositeBench.offer(peerId, what), [
    id,
    send,
  ] as const);
  const answer = await endpoint.processOffer(offer);
  await page.evaluate(([peerId, sdp]) => window.compositeBench.answer(peerId, sdp), [
    id,
    answer,
  ] as const);
}

async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  await page.addScriptTag({ content: PAGE_SCRIPT });
  return page;
}

/** Waits until the page's peer `id` shows frames (a loaded machine can take seconds). */
async function waitForFrames(page: Page, id: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await page.evaluate((peerId) => window.compositeBench.frameTimes(peerId).length, id)) > 0)
      return;
    await sleep(200);
  }
  throw new Error(`the page's ${id} showed no frame in 20 s`);
}

/**
 * The largest gap between consecutive shown frames that overlaps [from, to); a picture still
 * frozen when the recording ended (`end`) counts as a gap up to then.
 */
function largestGap(frames: readonly number[], from: number, to: number, end: number): number {
  const times = [...frames, end];
  let largest = 0;
  for (let index = 1; index < times.length; index++) {
    const [before, after] = [times[index - 1] as number, times[index] as number];
    if (after >= from && before < to) largest = Math.max(largest, after - before);
  }
  return largest;
}

async function measureFreeze(
  browser: Browser,
  pageUrl: string,
  pipeline: MediaPipeline,
  staying: readonly Participant[],
  source: TestPatternSource,
) {
  const page = await openPage(browser, pageUrl);
  const { composite, ports } = await compositeOf(pipeline, staying);
  const viewer = await pipeline.create('WebRtcEndpoint');
  try {
    source.targets = staying.map((participant) => participant.target);
    await connectPage(page, viewer, 'viewer', 'none');
    await (ports[0] as HubPort).connect(viewer, 'VIDEO');
    await waitForFrames(page, 'viewer');
    await sleep(COMPOSITE_WARM_UP_MS);
    const now = () => page.evaluate(() => window.compositeBench.now());
    const steadyFrom = await now();
    await sleep(JOIN_WATCH_MS);
    const cycles: { joinAt: number; leaveAt: number }[] = [];
    for (let cycle = 0; cycle < FREEZE_CYCLES; cycle++) {
      const joinAt = await now();
      const joiner = await Participant.join(pipeline);
      const port = await joinPort(pipeline, composite, joiner);
      source.targets = [...staying, joiner].map((participant) => participant.target);
      await sleep(JOIN_WATCH_MS);
      const leaveAt = await now();
      source.targets = staying.map((participant) => participant.target);
      await port.release();
      await joiner.leave();
      await sleep(JOIN_WATCH_MS);
      cycles.push({ joinAt, leaveAt });
    }
    const endAt = await now();
    const frames = await page.evaluate(() => window.compositeBench.frameTimes('viewer'));
    const firstJoin = cycles[0]?.joinAt ?? endAt;
    const steadyIntervals = frames
      .slice(1)
      .map((at, index) => [at, at - (frames[index] as number)] as const)
      .filter(([at]) => at >= steadyFrom && at < firstJoin)
      .map(([, interval]) => interval);
    if (steadyIntervals.length === 0) throw new Error('the viewer showed no frame of the mix');
    return {
      steady: summarize(steadyIntervals),
      joinMaxGapMs: cycles.map(({ joinAt, leaveAt }) => largestGap(frames, joinAt, leaveAt, endAt)),
      leaveMaxGapMs: cycles.map(({ leaveAt }, index) =>
        largestGap(frames, leaveAt, cycles[index + 1]?.joinAt ?? endAt, endAt),
      ),
    };
  } finally {
    source.targets = [];
    await composite.release();
    await viewer.release();
    await page.close();
  }
}

async function measureFaceOverlay(
  browser: Browser,
  pageUrl: string,
  client: MediaClient,
  serverPid: number,
) {
  const pipeline = await client.create('MediaPipeline');
  /** A stream looped back plain or through a FaceOverlayFilter, from the page's `send`. */
  const loop = async <T>(
    filtered: boolean,
    send: PageSource,
    measure: (page: Page) => Promise<T>,
  ): Promise<T> => {
    const page = await openPage(browser, pageUrl);
    const endpoint = await pipeline.create('WebRtcEndpoint');
    const filter = filtered ? await pipeline.create('FaceOverlayFilter') : undefined;
    try {
      if (filter) {
        await filter.setOverlayedImage('hat.png', ...HAT_PLACEMENT);
        await endpoint.connect(filter);
        await filter.connect(endpoint);
      } else {
        await endpoint.connect(endpoint);
      }
      await connectPage(page, endpoint, 'self', send);
      return await measure(page);
    } finally {
      await filter?.release();
      await endpoint.release();
      await page.close();
    }
  };
  const cpu = (filtered: boolean) =>
    loop(filtered, 'camera', async (page) => {
      await waitForFrames(page, 'self');
      await sleep(COMPOSITE_WARM_UP_MS);
      const stages = stageProcessIds(serverPid);
      setSchedulingPriority(stages, MEASURED_NICE);
      if (stages.length !== (filtered ? 1 : 0))
        throw new Error(`expected ${filtered ? 1 : 0} filter stage, found ${stages.length}`);
      const framesBefore = (await page.evaluate(() => window.compositeBench.frameTimes('self')))
        .length;
      const measured = await cpuOverWindow([serverPid, ...stages]);
      const frames = (await page.evaluate(() => window.compositeBench.frameTimes('self'))).length;
      const [red, green, blue] = await page.evaluate(
        ([x, y]) => window.compositeBench.colourAt('self', x, y),
        HAT_POINT,
      );
      return {
        nodeCore: measured.cores[0] as number,
        stageCore: measured.cores[1] ?? 0,
        fps: ((frames - framesBefore) * 1000) / measured.elapsedMs,
        hatShown: red > 150 && green < 100 && blue < 100,
        machineBusyPercent: measured.machineBusyPercent,
      };
    });
  const latency = (filtered: boolean) =>
    loop(filtered, 'face-canvas', async (page) => {
      await sleep(2000 + 2 * windowSeconds * 1000);
      return summarize(
        (await page.evaluate(() => window.compositeBench.latencies('self'))).slice(3),
      );
    });
  try {
    const plain = await cpu(false);
    const filtered = await cpu(true);
    const plainLatency = await latency(false);
    const filteredLatency = await latency(true);
    const nodeExtraCore = filtered.nodeCore - plain.nodeCore;
    return {
      plain,
      filtered,
      nodeExtraCore,
      filterTotalCore: filtered.stageCore + Math.max(0, nodeExtraCore),
      latencyMs: { plain: plainLatency, filtered: filteredLatency },
      addedLatencyMedianMs: filteredLatency.median - plainLatency.median,
    };
  } finally {
    await pipeline.release();
  }
}

/** Serves the page (getUserMedia needs a secure context such as http://127.0.0.1) and the face. */
async function servePage(): Promise<{ server: Server; url: string }> {
  const face = readFileSync(FACE_PICTURE);
  const server = createServer((request, response) => {
    if (request.url === '/face.png') {
      response.writeHead(200, { 'Content-Type': 'image/png' });
      response.end(face);
      return;
    }
    response.writeHead(200, { 'Content-Type': 'text/html' });
    response.end('<!doctype html><title>composite bench</title>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/** The face as Chromium's fake camera reads it, and the hat (a red square) in the media root. */
function makeMedia(work: string): { faceVideo: string; mediaRoot: string } {
  const faceVideo = join(work, 'face.y4m');
  const mediaRoot = join(work, 'root');
  mkdirSync(mediaRoot);
  const ffmpeg = (args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);
  ffmpeg([
    ...['-loop', '1', '-i', FACE_PICTURE, '-vf', `scale=${WIDTH}:${HEIGHT},format=yuv420p`],
    ...['-r', `${FRAMERATE}`, '-frames:v', `${FRAMERATE}`, faceVideo],
  ]);
  ffmpeg(['-f', 'lavfi', '-i', 'color=red:s=64x64', '-frames:v', '1', join(mediaRoot, 'hat.png')]);
  return { faceVideo, mediaRoot };
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'medley-bench-composite-'));
  const { server: pageServer, url: pageUrl } = await servePage();
  const { faceVideo, mediaRoot } = makeMedia(work);
  const cli = new URL('../packages/media-server/src/cli.ts', import.meta.url).pathname;
  const server = await startNodeProcess(
    [
      ...['--import', 'tsx', cli, '--port', '0', '--log-level', 'info'],
      ...['--media-root', mediaRoot, '--max-load', '1'],
    ],
    /"msg":"media server listening".*?"url":"([^"]+)"/,
  );
  const source = await TestPatternSource.start({
    width: WIDTH,
    height: HEIGHT,
    framerate: FRAMERATE,
    videoBitrate: BITRATE,
    keyframeInterval: FRAMERATE,
  });
  const client = await connect(server.ready[1] as string);
  const browser = await chromium.launch({
    ...chromiumLaunchOptions,
    args: [...chromiumLaunchOptions.args, `--use-file-for-fake-video-capture=${faceVideo}`],
  });
  setSchedulingPriority(processTree(process.pid), FEEDER_NICE);
  setSchedulingPriority([server.pid], MEASURED_NICE);
  try {
    const pipeline = await client.create('MediaPipeline');
    const figures: Record<string, unknown> = {};
    let pool: Participant[] = [];
    if (runs('composite')) {
      const measured = await measureComposite(pipeline, server.pid, source);
      pool = measured.pool;
      reportComposite(measured.rounds);
      figures.composite = {
        settings: COMPOSITE_SETTINGS,
        sourceBitrate: BITRATE,
        rounds: measured.rounds,
      };
    }
    if (runs('freeze')) {
      log('freeze on join and leave');
      while (pool.length < 3) pool.push(await Participant.join(pipeline));
      const freeze = await measureFreeze(browser, pageUrl, pipeline, pool.slice(0, 3), source);
      reportFreeze(freeze);
      figures.freeze = freeze;
    }
    await Promise.all(pool.map((participant) => participant.leave()));
    await pipeline.release();
    if (runs('face')) {
      log('face overlay');
      const face = await measureFaceOverlay(browser, pageUrl, client, server.pid);
      reportFace(face);
      figures.faceOverlay = face;
    }
    // A partial run (--only) prints its figures and leaves the result file of the last full run.
    if (only !== undefined) return;
    const path = await writeResults('composite', {
      context: machineContext(),
      windowSeconds,
      ...figures,
    });
    console.log(`results: ${path}`);
  } finally {
    await browser.close();
    await client.close();
    await source.stop();
    await server.stop();
    pageServer.close();
    await rm(work, { recursive: true, force: true });
  }
}

function reportComposite(rounds: readonly LevelRound[]): void {
  console.log('\nComposite, 640x480 30 fps (shares of one core)');
  printTable(
    [
      'participants',
      'floor',
      'Medley stage',
      'Node extra',
      'Medley total',
      '× floor',
      'mix fps floor / Medley',
      'mix kb/s floor / Medley',
      'CPU ms per mixed frame floor / Medley',
      'machine busy',
    ],
    rounds.map((round) => [
      `${round.participants} (round ${round.round})`,
      round.floorCore.toFixed(3),
      round.stageCore.toFixed(3),
      round.nodeExtraCore.toFixed(3),
      round.medleyTotalCore.toFixed(3),
      round.ratioToFloor.toFixed(2),
      `${round.floorMixFps.toFixed(1)} / ${round.medleyMixFps.toFixed(1)}`,
      `${round.floorMixKbps.toFixed(0)} / ${round.medleyMixKbps.toFixed(0)}`,
      `${round.floorCpuMsPerMixedFrame.toFixed(1)} / ${round.medleyCpuMsPerMixedFrame.toFixed(1)}`,
      `${round.machineBusyPercentFloor.toFixed(0)} / ${round.machineBusyPercentMedley.toFixed(0)} %`,
    ]),
  );
}

function reportFreeze(freeze: Awaited<ReturnType<typeof measureFreeze>>): void {
  console.log('\nFreeze seen by a participant staying in a 3-participant Composite (ms)');
  const gaps = (values: readonly number[]) => values.map((value) => value.toFixed(0)).join(', ');
  printTable(
    ['frame interval median', 'p95', 'max gap before any join', 'max gap on join', 'on leave'],
    [
      [
        freeze.steady.median.toFixed(1),
        freeze.steady.p95.toFixed(1),
        freeze.steady.max.toFixed(0),
        gaps(freeze.joinMaxGapMs),
        gaps(freeze.leaveMaxGapMs),
      ],
    ],
  );
}

function reportFace(face: Awaited<ReturnType<typeof measureFaceOverlay>>): void {
  console.log('\nFace overlay, one 640x480 stream (shares of one core; latency in ms)');
  const latency = (summary: Summary) =>
    `${summary.median.toFixed(1)} / ${summary.p90.toFixed(1)} (${summary.count})`;
  printTable(
    ['loopback', 'server Node', 'stage', 'fps back', 'hat drawn', 'latency median / p90 (n)'],
    [
      [
        'plain',
        face.plain.nodeCore.toFixed(3),
        '—',
        face.plain.fps.toFixed(1),
        String(face.plain.hatShown),
        latency(face.latencyMs.plain),
      ],
      [
        'FaceOverlayFilter',
        face.filtered.nodeCore.toFixed(3),
        face.filtered.stageCore.toFixed(3),
        face.filtered.fps.toFixed(1),
        String(face.filtered.hatShown),
        latency(face.latencyMs.filtered),
      ],
    ],
  );
  console.log(
    `filter cost: ${face.filterTotalCore.toFixed(3)} core (Node extra ${face.nodeExtraCore.toFixed(3)}); added latency (median) ${face.addedLatencyMedianMs.toFixed(1)} ms`,
  );
}

function waitConnected(peer: RTCPeerConnection): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('a participant did not connect in 15 s')),
      15_000,
    );
    peer.connectionStateChange.subscribe((state) => {
      if (state !== 'connected') return;
      clearTimeout(timer);
      resolve();
    });
  });
}

/** `--participants 2,4`: the Composite's levels. */
function listArgument(name: string, fallback: readonly number[]): readonly number[] {
  const index = process.argv.indexOf(name);
  if (index < 0) return fallback;
  const values = (process.argv[index + 1] ?? '').split(',').map(Number);
  if (!values.every((value) => Number.isInteger(value) && value > 0))
    throw new Error(`${name} takes participant counts, e.g. 2,4,6,9`);
  return values;
}

/** `--only composite|freeze|face`: one part alone, for working on it. */
function partArgument(): (typeof PARTS)[number] | undefined {
  const index = process.argv.indexOf('--only');
  if (index < 0) return undefined;
  const part = PARTS.find((name) => name === process.argv[index + 1]);
  if (!part) throw new Error(`--only takes one of ${PARTS.join(', ')}`);
  return part;
}

function numberArgument(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  const value = index >= 0 ? Number(process.argv[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} takes a positive number`);
  return value;
}

console.log(`${availableParallelism()} cores; ${windowSeconds} s windows`);
await main();
// werift 0.24 leaves each closed participant's UDP socket open (seen with
// process.getActiveResourcesInfo()), which would keep the bench alive once its figures are out.
process.exit(0);

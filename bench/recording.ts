// Recording cost of the media server, each figure beside a baseline measured in the same run.
//
//   scripts/isolated.sh npx tsx bench/recording.ts      (WebRTC: loopback-only namespace)
//
// 1. In process, no network: the RTP of a 640x480 VP8 + Opus clip, replayed as fast as possible
//    through the graph into a PassThrough and a sink that drops it (baseline), or into a
//    RecorderEndpoint's Recording (WebM on disk). CPU per second of media = cost of one stream.
// 2. End to end: the server runs as its CLI in a child process; Node-side WebRTC publishers
//    (werift) send the clip in real time to N WebRtcEndpoints, each connected to a PassThrough
//    (baseline) or to a RecorderEndpoint. Server CPU is read from /proc; packet loss from the
//    server's inbound RTP stats. N grows until packets are lost or the server's one thread is
//    saturated. Bounded to about two minutes.
import { type ChildProcess, execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RTCPeerConnection, RtpHeader, RtpPacket } from 'werift';
import {
  connect,
  type MediaClient,
  type MediaPipeline,
  type RecorderEndpoint,
  type WebRtcEndpoint,
} from '../packages/media-client/src/index.js';
import { MediaNode, PassThroughNode } from '../packages/media-server/src/graph/index.js';
import { FileByteSource } from '../packages/media-server/src/playback/ByteSource.js';
import { Playback } from '../packages/media-server/src/playback/Playback.js';
import { RtpTrackSender } from '../packages/media-server/src/playback/RtpTrackSender.js';
import { WebmDemuxer } from '../packages/media-server/src/playback/webm/WebmDemuxer.js';
import { mediaProfile } from '../packages/media-server/src/recording/MediaProfile.js';
import { Recording } from '../packages/media-server/src/recording/Recording.js';
import {
  createPeerConfig,
  disableImplicitStun,
} from '../packages/media-server/src/transport/peerConfig.js';
import { startCliServer } from './support/cliServer.js';
import { cpuMilliseconds } from './support/processStats.js';

const run = promisify(execFile);
const CLIP_SECONDS = 20;
const WARM_UP_MS = 2000;
const WINDOW_MS = 6000;
const BASELINE_STREAMS = 4;
const CAPACITY_LEVELS = [8, 16, 24, 32, 40, 48, 56, 64, 72, 80];
/** Below this share of the nominal packet rate, the publishers (not the server) are the limit. */
const MIN_SEND_RATE = 0.9;
/** The capacity ramp stops adding levels after this long, so the whole run stays under 3 min. */
const BUDGET_MS = 125_000;
const startedAt = performance.now();

const workDirectory = await mkdtemp(join(tmpdir(), 'medley-bench-recording-'));
const clip = join(workDirectory, 'clip.webm');
const mediaRoot = join(workDirectory, 'media');
let server: ChildProcess | undefined;

/** Part 1: CPU per second of media through the graph, with and without recording. */
async function inProcessCost(): Promise<void> {
  const packets = await clipPackets();
  const mediaSeconds = CLIP_SECONDS;
  const measure = async (
    label: string,
    build: () => { sink: MediaNode; done(): Promise<void> },
  ) => {
    const best: number[] = [];
    for (let round = 0; round < 3; round++) {
      const producer = new MediaNode({ name: 'producer' });
      const { sink, done } = build();
      producer.connect(sink);
      const before = process.cpuUsage();
      for (const { kind, packet } of packets) producer.source(kind).pushRtp(packet);
      await done();
      const used = process.cpuUsage(before);
      best.push((used.user + used.system) / 1000);
      producer.release();
      sink.release();
    }
    const cpuMs = Math.min(...best);
    console.log(
      `  ${label.padEnd(34)} ${(cpuMs / mediaSeconds).toFixed(2).padStart(6)} ms CPU per media second = ${(cpuMs / mediaSeconds / 10).toFixed(2)}% of a core per stream`,
    );
    return cpuMs / mediaSeconds;
  };
  console.log('1. in process (no network), best of 3:');
  const baseline = await measure('PassThrough → dropping sink', () => {
    const passThrough = new PassThroughNode();
    const drop = new MediaNode({ name: 'drop' });
    passThrough.connect(drop);
    drop.sink('AUDIO').onRtp = () => undefined;
    drop.sink('VIDEO').onRtp = () => undefined;
    return {
      sink: passThrough,
      done: async () => {
        drop.release();
      },
    };
  });
  let file = 0;
  const recording = await measure('RecorderEndpoint (WebM to disk)', () => {
    const node = new MediaNode({ name: 'recorder' });
    let clockMs = 0;
    const profile = mediaProfile('WEBM');
    if (!profile) throw new Error('no WEBM profile');
    const recording = new Recording({
      path: join(workDirectory, `in-process-${file++}.webm`),
      profile,
      requestKeyframe: () => undefined,
      onStarted: () => undefined,
      onError: (error) => console.error(error.message),
      now: () => clockMs,
    });
    node.sink('AUDIO').onRtp = (packet) => {
      clockMs = packet.timestamp / 48;
      recording.push('AUDIO', packet);
    };
    node.sink('VIDEO').onRtp = (packet) => recording.push('VIDEO', packet);
    return { sink: node, done: () => recording.stop() };
  });
  console.log(
    `  recording costs ${((recording - baseline) / 10).toFixed(2)}% of a core per stream more than forwarding\n`,
  );
}

/** The clip as RTP packets (copied: the sender reuses its packet object), in send order. */
async function clipPackets() {
  const demuxer = await WebmDemuxer.open(await FileByteSource.open(clip));
  const senders = new Map(demuxer.tracks.map((track) => [track.kind, new RtpTrackSender(track)]));
  const packets: {
    kind: 'AUDIO' | 'VIDEO';
    packet: import('../packages/media-server/src/graph/index.js').MediaPacket;
  }[] = [];
  for await (const frame of demuxer.frames(0)) {
    const sender = senders.get(frame.kind);
    if (!sender) continue;
    sender.send(
      frame.data,
      frame.keyframe,
      sender.timestampAt(frame.timeMs),
      sender.nextPictureId(),
      (packet) =>
        packets.push({ kind: frame.kind === 'video' ? 'VIDEO' : 'AUDIO', packet: { ...packet } }),
    );
  }
  await demuxer.close();
  return packets;
}

interface Publisher {
  readonly packetsSent: () => number;
  close(): Promise<void>;
}

/** A werift peer sending the clip in real time to a new WebRtcEndpoint of `pipeline`. */
async function publish(
  pipeline: MediaPipeline,
): Promise<{ publisher: Publisher; webRtc: WebRtcEndpoint }> {
  const webRtc = await pipeline.create('WebRtcEndpoint');
  const pc = new RTCPeerConnection(createPeerConfig({ additionalHostAddresses: ['127.0.0.1'] }));
  const transceivers = {
    audio: pc.addTransceiver('audio', { direction: 'sendonly' }),
    video: pc.addTransceiver('video', { direction: 'sendonly' }),
  };
  const offer = await pc.createOffer();
  disableImplicitStun(pc, []);
  await pc.setLocalDescription(offer);
  const answer = await webRtc.processOffer(pc.localDescription?.sdp ?? '');
  await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('publisher did not connect')), 10_000);
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  let sent = 0;
  const demuxer = await WebmDemuxer.open(await FileByteSource.open(clip));
  const playback = new Playback(demuxer, {
    onPacket: (kind, packet) => {
      sent++;
      const header = new RtpHeader({
        payloadType: packet.payloadType,
        sequenceNumber: packet.sequenceNumber,
        timestamp: packet.timestamp,
        marker: packet.marker,
        ssrc: packet.ssrc,
      });
      transceivers[kind].sender
        .sendRtp(new RtpPacket(header, packet.payload))
        .catch(() => undefined);
    },
    // The clip loops, so a long ramp never runs out of media.
    onEndOfStream: () => playback.play(),
    onError: (error) => console.error(error.message),
  });
  playback.play();
  return {
    webRtc,
    publisher: {
      packetsSent: () => sent,
      async close() {
        await playback.close();
        await pc.close();
      },
    },
  };
}

async function startServer(mediaRoot: string): Promise<{ url: string; pid: number }> {
  const { url, child } = await startCliServer(mediaRoot);
  server = child;
  return { url, pid: child.pid as number };
}

interface LevelResult {
  readonly streams: number;
  /** Recorded files: how many, and their total size (deleted once counted). */
  readonly files?: { readonly count: number; readonly bytes: number };
  readonly serverCpuPercent: number;
  readonly publisherCpuPercent: number;
  readonly packetsSent: number;
  readonly packetsReceived: number;
  readonly packetsLost: number;
}

/**
 * Publishers, each sending to its own WebRtcEndpoint that feeds a PassThrough (baseline) or a
 * RecorderEndpoint. It grows by adding streams, so a capacity ramp never rebuilds what it had.
 */
class Fleet {
  readonly #publishers: Publisher[] = [];
  readonly #endpoints: WebRtcEndpoint[] = [];
  readonly #recorders: RecorderEndpoint[] = [];

  private constructor(
    readonly pipeline: MediaPipeline,
    readonly sink: 'PassThrough' | 'RecorderEndpoint',
    readonly directory: string,
  ) {}

  static async create(client: MediaClient, sink: Fleet['sink'], directory: string) {
    return new Fleet(await client.create('MediaPipeline'), sink, directory);
  }

  get size(): number {
    return this.#publishers.length;
  }

  async grow(streams: number): Promise<void> {
    while (this.#publishers.length < streams) {
      const { publisher, webRtc } = await publish(this.pipeline);
      if (this.sink === 'PassThrough') {
        await webRtc.connect(await this.pipeline.create('PassThrough'));
      } else {
        const uri = `${this.directory}/stream-${this.#publishers.length}.webm`;
        const recorder = await this.pipeline.create('RecorderEndpoint', { uri });
        await webRtc.connect(recorder);
        await recorder.record();
        this.#recorders.push(recorder);
      }
      this.#publishers.push(publisher);
      this.#endpoints.push(webRtc);
    }
  }

  /** Server and publisher CPU, and packets, over WINDOW_MS after WARM_UP_MS. */
  async measure(pid: number): Promise<LevelResult> {
    await delay(WARM_UP_MS);
    const statsBefore = await inboundTotals(this.#endpoints);
    const sentBefore = this.#packetsSent();
    const serverBefore = cpuMilliseconds(pid);
    const publisherBefore = process.cpuUsage();
    const windowStart = performance.now();
    await delay(WINDOW_MS);
    const elapsedMs = performance.now() - windowStart;
    const serverCpuMs = cpuMilliseconds(pid) - serverBefore;
    const publisherUsage = process.cpuUsage(publisherBefore);
    const sent = this.#packetsSent() - sentBefore;
    const statsAfter = await inboundTotals(this.#endpoints);
    return {
      streams: this.size,
      serverCpuPercent: (serverCpuMs / elapsedMs) * 100,
      publisherCpuPercent: ((publisherUsage.user + publisherUsage.system) / 1000 / elapsedMs) * 100,
      packetsSent: sent,
      packetsReceived: statsAfter.received - statsBefore.received,
      packetsLost: statsAfter.lost - statsBefore.lost,
    };
  }

  /** Stops the recordings (files complete) and everything else; returns the files written. */
  async close(mediaRoot: string): Promise<{ count: number; bytes: number } | undefined> {
    for (const recorder of this.#recorders) await recorder.stopAndWait();
    for (const publisher of this.#publishers) await publisher.close();
    await this.pipeline.release();
    if (this.sink !== 'RecorderEndpoint') return undefined;
    const directory = join(mediaRoot, this.directory);
    const names = (await readdir(directory)).filter((name) => name.endsWith('.webm'));
    const sizes = await Promise.all(names.map((name) => stat(join(directory, name))));
    await rm(directory, { recursive: true, force: true });
    return { count: names.length, bytes: sizes.reduce((sum, entry) => sum + entry.size, 0) };
  }

  #packetsSent(): number {
    return this.#publishers.reduce((sum, publisher) => sum + publisher.packetsSent(), 0);
  }
}

async function inboundTotals(endpoints: readonly WebRtcEndpoint[]) {
  let received = 0;
  let lost = 0;
  for (const endpoint of endpoints) {
    const stats = (await endpoint.getStats()) as Record<string, Record<string, unknown>>;
    for (const entry of Object.values(stats)) {
      if (entry.type !== 'inboundrtp') continue;
      received += Number(entry.packetsReceived ?? 0);
      lost += Number(entry.packetsLost ?? 0);
    }
  }
  return { received, lost };
}

function describeLevel(label: string, result: LevelResult): string {
  const files = result.files
    ? `, ${result.files.count} files ${(result.files.bytes / 1e6).toFixed(1)} MB`
    : '';
  return `  ${label.padEnd(30)} server ${result.serverCpuPercent.toFixed(1).padStart(5)}% of a core, publishers ${result.publisherCpuPercent.toFixed(1).padStart(5)}%, packets sent ${result.packetsSent}, received ${result.packetsReceived}, lost ${result.packetsLost}${files}`;
}

/** Part 2: the server as a process, real WebRTC in real time. */
async function endToEnd(): Promise<void> {
  const { url, pid } = await startServer(mediaRoot);
  const client = await connect(url);
  try {
    console.log(
      `2. end to end, server process (1 thread), ${BASELINE_STREAMS} streams, ${WINDOW_MS / 1000} s windows:`,
    );
    const passing = await Fleet.create(client, 'PassThrough', 'baseline');
    await passing.grow(BASELINE_STREAMS);
    const baseline = await passing.measure(pid);
    await passing.close(mediaRoot);
    console.log(describeLevel('WebRtcEndpoint → PassThrough', baseline));
    const recordingFleet = await Fleet.create(client, 'RecorderEndpoint', 'recording');
    await recordingFleet.grow(BASELINE_STREAMS);
    const recording = await recordingFleet.measure(pid);
    const files = await recordingFleet.close(mediaRoot);
    console.log(
      describeLevel('WebRtcEndpoint → Recorder', { ...recording, ...(files ? { files } : {}) }),
    );
    const perStream = (recording.serverCpuPercent - baseline.serverCpuPercent) / BASELINE_STREAMS;
    console.log(
      `  recording adds ${perStream.toFixed(2)}% of a core per stream on top of receiving it (${(baseline.serverCpuPercent / BASELINE_STREAMS).toFixed(2)}% per stream)\n`,
    );

    const nominalRate = baseline.packetsSent / BASELINE_STREAMS / (WINDOW_MS / 1000);
    console.log('3. capacity: recordings added until packets are lost or a core saturates');
    const fleet = await Fleet.create(client, 'RecorderEndpoint', 'capacity');
    let sustained = 0;
    let lostAt: number | undefined;
    for (const streams of CAPACITY_LEVELS) {
      const setupMs = (streams - fleet.size) * 300;
      if (performance.now() - startedAt > BUDGET_MS - (WARM_UP_MS + WINDOW_MS + setupMs)) {
        console.log('  (time budget reached)');
        break;
      }
      await fleet.grow(streams);
      const result = await fleet.measure(pid);
      console.log(describeLevel(`${streams} recordings`, result));
      const sendRate = result.packetsSent / streams / (WINDOW_MS / 1000) / nominalRate;
      if (sendRate < MIN_SEND_RATE) {
        console.log(
          `  → the publishers sent ${(sendRate * 100).toFixed(0)}% of the nominal packet rate: from here the Node-side publishers sharing the 2 cores are the limit, not the server`,
        );
        break;
      }
      const lossRate =
        result.packetsLost / Math.max(1, result.packetsReceived + result.packetsLost);
      if (lossRate > 0.001) {
        console.log(`  → packets lost at ${streams} recordings`);
        lostAt = streams;
        break;
      }
      sustained = streams;
      if (result.serverCpuPercent > 90) {
        console.log(`  → the server's thread is saturated at ${streams} recordings`);
        break;
      }
    }
    const written = await fleet.close(mediaRoot);
    if (written) {
      console.log(`  ${written.count} files complete, ${(written.bytes / 1e6).toFixed(1)} MB`);
    }
    if (lostAt !== undefined && performance.now() - startedAt < BUDGET_MS + 15_000) {
      // The same load without recording tells whether the recorder is what loses packets.
      const control = await Fleet.create(client, 'PassThrough', 'control');
      await control.grow(lostAt);
      const forwarded = await control.measure(pid);
      await control.close(mediaRoot);
      console.log(describeLevel(`${lostAt} forwarded, no recording`, forwarded));
    }
    console.log(
      `\nsustained without loss: ${sustained} simultaneous recordings (this 2-core machine, publishers included)`,
    );
  } finally {
    client.close();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Last, so that every class and function above is initialised when it runs.
try {
  await run('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x480:rate=30'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(CLIP_SECONDS)],
    ...['-c:v', 'libvpx', '-b:v', '800k', '-g', '60', '-deadline', 'realtime', '-cpu-used', '8'],
    ...['-c:a', 'libopus', '-b:a', '32k', clip],
  ]);
  console.log(`clip: 640x480 VP8 ~800 kb/s + Opus 32 kb/s, ${CLIP_SECONDS} s\n`);
  await inProcessCost();
  await endToEnd();
} finally {
  server?.kill('SIGKILL');
  await rm(workDirectory, { recursive: true, force: true });
}

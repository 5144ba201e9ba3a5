// Server CPU per ingested packet: plain RTP into an RtpEndpoint beside WebRTC into a
// WebRtcEndpoint, each forwarded to a WebRtcEndpoint viewer, in the same run, rounds alternating.
//
//   scripts/isolated.sh npx tsx bench/rtp-ingest.ts [--publishers 4] [--rounds 3] [--seconds 10]
//
// One gst-launch encodes VP8 (640x360, 30 fps, 1 Mb/s) and Opus once (TestPatternSource); each
// publisher gets a copy of every packet. `rtp`: the packets go as they are over UDP to an
// RtpEndpoint (what ffmpeg or a camera sends). `webrtc`: a werift peer sends them over SRTP to a
// WebRtcEndpoint (what a browser sends). Both are connected to a WebRtcEndpoint whose werift
// viewer receives. The server runs as its CLI in a child process; its CPU time (utime + stime)
// over the window, divided by the packets the publishers sent in it, is the figure.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { connect, type MediaPipeline } from '../packages/media-client/src/index.js';
import { disableImplicitStun } from '../packages/media-server/src/transport/peerConfig.js';
import { stopProcess } from './support/childProcess.js';
import { startCliServer } from './support/cliServer.js';
import { cpuMilliseconds } from './support/processStats.js';
import { machineContext, writeResults } from './support/results.js';
import { summarize } from './support/statistics.js';
import { printTable } from './support/table.js';
import {
  boundSocket,
  type RtpTarget,
  SOURCE_AUDIO_PAYLOAD_TYPE,
  SOURCE_VIDEO_PAYLOAD_TYPE,
  TestPatternSource,
  udpTarget,
} from './support/testPatternSource.js';

type Kind = 'rtp' | 'webrtc';

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}
const publishers = argument('publishers', 4);
const rounds = argument('rounds', 3);
const windowSeconds = argument('seconds', 10);

const codecs = {
  video: [
    new RTCRtpCodecParameters({
      mimeType: 'video/VP8',
      clockRate: 90_000,
      payloadType: SOURCE_VIDEO_PAYLOAD_TYPE,
      rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
    }),
  ],
  audio: [
    new RTCRtpCodecParameters({
      mimeType: 'audio/opus',
      clockRate: 48_000,
      channels: 2,
      payloadType: SOURCE_AUDIO_PAYLOAD_TYPE,
    }),
  ],
};

function weriftPeer(): RTCPeerConnection {
  return new RTCPeerConnection({
    codecs,
    iceServers: [],
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
  });
}

async function negotiate(peer: RTCPeerConnection, processOffer: (sdp: string) => Promise<string>) {
  const offer = await peer.createOffer();
  disableImplicitStun(peer, []);
  await peer.setLocalDescription(offer);
  const answer = await processOffer(peer.localDescription?.sdp ?? '');
  await peer.setRemoteDescription({ type: 'answer', sdp: answer });
}

/** A viewer on its own WebRtcEndpoint; counts the video packets it gets. */
async function viewer(pipeline: MediaPipeline, counter: { packets: number }) {
  const endpoint = await pipeline.create('WebRtcEndpoint');
  const peer = weriftPeer();
  peer.addTransceiver('audio', { direction: 'recvonly' });
  const video = peer.addTransceiver('video', { direction: 'recvonly' });
  video.onTrack.subscribe((track) =>
    track.onReceiveRtp.subscribe(() => {
      counter.packets++;
    }),
  );
  await negotiate(peer, (sdp) => endpoint.processOffer(sdp));
  return { endpoint, peer };
}

function plainOffer(port: number): string {
  return [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=bench',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port + 2} RTP/AVP ${SOURCE_AUDIO_PAYLOAD_TYPE}`,
    `a=rtpmap:${SOURCE_AUDIO_PAYLOAD_TYPE} opus/48000/2`,
    'a=sendonly',
    `m=video ${port} RTP/AVP ${SOURCE_VIDEO_PAYLOAD_TYPE}`,
    `a=rtpmap:${SOURCE_VIDEO_PAYLOAD_TYPE} VP8/90000`,
    'a=sendonly',
    '',
  ].join('\r\n');
}

/** One publisher of `kind` into `pipeline`, forwarded to a viewer; returns its packet target. */
async function publisher(
  kind: Kind,
  pipeline: MediaPipeline,
  counter: { packets: number },
  closers: (() => Promise<void> | void)[],
): Promise<RtpTarget> {
  const watching = await viewer(pipeline, counter);
  closers.push(() => watching.peer.close());
  if (kind === 'rtp') {
    const endpoint = await pipeline.create('RtpEndpoint');
    const socket = await boundSocket();
    closers.push(() => {
      socket.close();
    });
    const answer = await endpoint.processOffer(plainOffer(socket.address().port));
    const portOf = (media: string) =>
      Number(new RegExp(`^m=${media} (\\d+)`, 'm').exec(answer)?.[1]);
    await endpoint.connect(watching.endpoint);
    return udpTarget(socket, portOf('video'), portOf('audio'));
  }
  const endpoint = await pipeline.create('WebRtcEndpoint');
  const peer = weriftPeer();
  closers.push(() => peer.close());
  const audio = new MediaStreamTrack({ kind: 'audio' });
  const video = new MediaStreamTrack({ kind: 'video' });
  peer.addTransceiver(audio, { direction: 'sendonly' });
  peer.addTransceiver(video, { direction: 'sendonly' });
  await negotiate(peer, (sdp) => endpoint.processOffer(sdp));
  await new Promise<void>((resolve) => {
    if (peer.connectionState === 'connected') resolve();
    peer.connectionStateChange.subscribe((state) => state === 'connected' && resolve());
  });
  await endpoint.connect(watching.endpoint);
  return {
    sendVideo: (packet) => video.writeRtp(packet),
    sendAudio: (packet) => audio.writeRtp(packet),
  };
}

interface RoundResult {
  readonly kind: Kind;
  readonly packetsIn: number;
  readonly packetsToViewers: number;
  readonly serverCpuMs: number;
  readonly cpuMicrosecondsPerPacket: number;
}

async function round(
  kind: Kind,
  client: Awaited<ReturnType<typeof connect>>,
  serverPid: number,
  source: TestPatternSource,
): Promise<RoundResult> {
  const pipeline = await client.create('MediaPipeline');
  const closers: (() => Promise<void> | void)[] = [];
  const viewed = { packets: 0 };
  const targets: RtpTarget[] = [];
  for (let index = 0; index < publishers; index++) {
    targets.push(await publisher(kind, pipeline, viewed, closers));
  }
  let packetsIn = 0;
  const counting: RtpTarget[] = targets.map((target) => ({
    sendVideo: (packet) => {
      packetsIn++;
      target.sendVideo(packet);
    },
    sendAudio: (packet) => {
      packetsIn++;
      target.sendAudio(packet);
    },
  }));
  source.targets = counting;
  await sleep(4000); // keyframes reach every viewer; start-up work is left out
  packetsIn = 0;
  viewed.packets = 0;
  const cpuBefore = cpuMilliseconds(serverPid);
  await sleep(windowSeconds * 1000);
  const serverCpuMs = cpuMilliseconds(serverPid) - cpuBefore;
  const result = {
    kind,
    packetsIn,
    packetsToViewers: viewed.packets,
    serverCpuMs,
    cpuMicrosecondsPerPacket: (serverCpuMs * 1000) / Math.max(1, packetsIn),
  };
  source.targets = [];
  await pipeline.release();
  for (const close of closers) await close();
  await sleep(1000);
  return result;
}

async function main(): Promise<void> {
  const workDirectory = await mkdtemp(join(tmpdir(), 'medley-rtp-ingest-'));
  let server: ChildProcess | undefined;
  let source: TestPatternSource | undefined;
  try {
    const started = await startCliServer(workDirectory);
    server = started.child;
    const client = await connect(started.url);
    source = await TestPatternSource.start({
      width: 640,
      height: 360,
      framerate: 30,
      videoBitrate: 1_000_000,
      keyframeInterval: 60,
    });
    const results: RoundResult[] = [];
    for (let index = 0; index < rounds; index++) {
      for (const kind of index % 2 === 0
        ? (['rtp', 'webrtc'] as const)
        : (['webrtc', 'rtp'] as const)) {
        const result = await round(kind, client, server.pid as number, source);
        console.log(JSON.stringify(result));
        results.push(result);
      }
    }
    const byKind = (kind: Kind) => results.filter((result) => result.kind === kind);
    const summary = Object.fromEntries(
      (['rtp', 'webrtc'] as const).map((kind) => [
        kind,
        summarize(byKind(kind).map((result) => result.cpuMicrosecondsPerPacket)),
      ]),
    );
    printTable(
      [
        'ingest',
        'publishers',
        'packets in/s',
        'viewer packets/s',
        'server CPU µs/packet (median, min-max)',
      ],
      (['rtp', 'webrtc'] as const).map((kind) => {
        const rows = byKind(kind);
        const perSecond = (values: number[]) =>
          (values.reduce((sum, value) => sum + value, 0) / values.length / windowSeconds).toFixed(
            0,
          );
        const cpu = summary[kind];
        return [
          kind === 'rtp' ? 'RtpEndpoint (plain RTP)' : 'WebRtcEndpoint (SRTP)',
          String(publishers),
          perSecond(rows.map((row) => row.packetsIn)),
          perSecond(rows.map((row) => row.packetsToViewers)),
          `${cpu?.median.toFixed(1)} (${cpu?.min.toFixed(1)}-${cpu?.max.toFixed(1)})`,
        ];
      }),
    );
    const path = await writeResults('rtp-ingest', {
      context: machineContext(),
      publishers,
      windowSeconds,
      results,
      summary,
    });
    console.log(`results: ${path}`);
    await client.close();
  } finally {
    await source?.stop();
    if (server) await stopProcess(server, 'SIGTERM');
    await rm(workDirectory, { recursive: true, force: true });
  }
}

await main();

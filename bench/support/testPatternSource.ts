import type { ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { stopProcess } from './childProcess.js';
import { startGstLaunch } from './gstLaunch.js';

/** Where the source's packets go: one participant's video and audio. */
export interface RtpTarget {
  sendVideo(packet: Buffer): void;
  sendAudio(packet: Buffer): void;
}

export interface TestPatternOptions {
  readonly width: number;
  readonly height: number;
  readonly framerate: number;
  readonly videoBitrate: number;
  /** Frames between keyframes: the source cannot answer keyframe requests, so it sends them. */
  readonly keyframeInterval: number;
}

/** Payload types of what the source sends (Chromium's usual ones). */
export const SOURCE_VIDEO_PAYLOAD_TYPE = 96;
export const SOURCE_AUDIO_PAYLOAD_TYPE = 111;

/**
 * Many publishers for the price of one: a single gst-launch-1.0 encodes GStreamer's moving
 * `ball` pattern to VP8 (libvpx's realtime settings, as a browser sends it) and a 440 Hz tone to
 * Opus, once, and every RTP packet is copied to each target. N participants then cost one
 * encoder and N socket writes, so the machine's cores go to what is being measured.
 */
export class TestPatternSource {
  /** Who receives the packets now; an empty list idles the source's consumers. */
  targets: readonly RtpTarget[] = [];
  readonly #process: ChildProcess;
  readonly #sockets: readonly Socket[];

  private constructor(process: ChildProcess, sockets: readonly Socket[]) {
    this.#process = process;
    this.#sockets = sockets;
  }

  static async start(options: TestPatternOptions): Promise<TestPatternSource> {
    const video = await boundSocket();
    const audio = await boundSocket();
    const { width, height, framerate, videoBitrate, keyframeInterval } = options;
    const process = startGstLaunch(
      `videotestsrc is-live=true pattern=ball ! video/x-raw,width=${width},height=${height},framerate=${framerate}/1 ! ` +
        `vp8enc deadline=1 cpu-used=8 end-usage=cbr target-bitrate=${videoBitrate} lag-in-frames=0 keyframe-max-dist=${keyframeInterval} ! ` +
        `rtpvp8pay pt=${SOURCE_VIDEO_PAYLOAD_TYPE} mtu=1200 picture-id-mode=15-bit ! udpsink host=127.0.0.1 port=${video.address().port} ` +
        'audiotestsrc is-live=true wave=sine freq=440 volume=0.3 ! audio/x-raw,rate=48000,channels=2 ! ' +
        `opusenc bitrate=32000 frame-size=20 ! rtpopuspay pt=${SOURCE_AUDIO_PAYLOAD_TYPE} ! udpsink host=127.0.0.1 port=${audio.address().port}`,
    );
    const source = new TestPatternSource(process, [video, audio]);
    video.on('message', (packet) => {
      for (const target of source.targets) target.sendVideo(packet);
    });
    audio.on('message', (packet) => {
      for (const target of source.targets) target.sendAudio(packet);
    });
    return source;
  }

  /** The encoding process (not counted; a bench may give it a scheduling priority). */
  get pid(): number {
    return this.#process.pid as number;
  }

  async stop(): Promise<void> {
    this.targets = [];
    await stopProcess(this.#process, 'SIGKILL');
    for (const socket of this.#sockets) socket.close();
  }
}

/** A target that is plain RTP over UDP to two local ports (what a bare GStreamer pipeline reads). */
export function udpTarget(socket: Socket, videoPort: number, audioPort: number): RtpTarget {
  return {
    sendVideo: (packet) => socket.send(packet, videoPort, '127.0.0.1'),
    sendAudio: (packet) => socket.send(packet, audioPort, '127.0.0.1'),
  };
}

/** A UDP socket on a free loopback port. */
export async function boundSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

/** Free loopback UDP ports for a child process to bind (free when this returns; taken soon after). */
export async function freeUdpPorts(count: number): Promise<number[]> {
  const sockets = await Promise.all(Array.from({ length: count }, boundSocket));
  const ports = sockets.map((socket) => socket.address().port);
  for (const socket of sockets) socket.close();
  return ports;
}

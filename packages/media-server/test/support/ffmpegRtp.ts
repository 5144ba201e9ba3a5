import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';

/** ffmpeg as the far end of an RtpEndpoint: a sender or a receiver of plain RTP / SRTP. */

/** A running ffmpeg; `stop()` ends it (SIGINT, so a file it writes is finished) and waits. */
export interface FfmpegProcess {
  readonly process: ChildProcess;
  /** What ffmpeg printed on stderr so far (for failure messages). */
  readonly log: () => string;
  /** Resolves with the exit code once ffmpeg ends by itself. */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

/** Starts `ffmpeg -hide_banner -nostdin <args>`. */
export function runFfmpeg(args: readonly string[]): FfmpegProcess {
  const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'warning', ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(-1));
  });
  return {
    process: child,
    log: () => stderr,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** An even UDP port whose odd neighbour is free too (for a peer's RTP/RTCP pair). */
export async function freeRtpPort(): Promise<number> {
  for (;;) {
    const rtp = createSocket('udp4');
    rtp.bind(0, '127.0.0.1');
    await once(rtp, 'listening');
    const port = rtp.address().port;
    if (port % 2 === 0 && port < 65534) {
      const rtcp = createSocket('udp4');
      const free = await new Promise<boolean>((resolve) => {
        rtcp.once('error', () => resolve(false));
        rtcp.bind(port + 1, '127.0.0.1', () => resolve(true));
      });
      rtcp.close();
      rtp.close();
      if (free) return port;
    } else {
      rtp.close();
    }
  }
}

/** Whether some process has bound UDP `port` (a receiving ffmpeg is ready once it has). */
export async function isUdpPortBound(port: number): Promise<boolean> {
  const probe = createSocket('udp4');
  const bound = await new Promise<boolean>((resolve) => {
    probe.once('error', () => resolve(true));
    probe.bind(port, () => resolve(false));
  });
  probe.close();
  return bound;
}

/** The `m=<kind> <port>` line's port and the `a=crypto` key of an SDP answer. */
export function mediaPort(sdp: string, kind: 'audio' | 'video'): number {
  const match = new RegExp(`^m=${kind} (\\d+) `, 'm').exec(sdp);
  if (!match) throw new Error(`no m=${kind} line in ${sdp}`);
  return Number(match[1]);
}

/** The `inline:` key of the first `a=crypto` line of an SDP. */
export function cryptoKey(sdp: string): string {
  const match = /^a=crypto:\d+ \S+ inline:([A-Za-z0-9+/=]+)/m.exec(sdp);
  if (!match) throw new Error(`no a=crypto line in ${sdp}`);
  return match[1] as string;
}

/** An SDP as a plain-RTP peer at 127.0.0.1 writes it for one medium. */
export function peerSdp(options: {
  readonly kind: 'audio' | 'video';
  readonly port: number;
  readonly payloadType: number;
  readonly rtpmap: string;
  readonly fmtp?: string;
  readonly direction: 'sendonly' | 'recvonly' | 'sendrecv';
  readonly crypto?: string;
}): string {
  const secure = options.crypto !== undefined;
  return [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=ffmpeg',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=${options.kind} ${options.port} ${secure ? 'RTP/SAVP' : 'RTP/AVP'} ${options.payloadType}`,
    `a=rtpmap:${options.payloadType} ${options.rtpmap}`,
    ...(options.fmtp ? [`a=fmtp:${options.payloadType} ${options.fmtp}`] : []),
    ...(options.crypto ? [`a=crypto:1 ${options.crypto}`] : []),
    `a=${options.direction}`,
    '',
  ].join('\r\n');
}

// The media every target forwards: a pre-encoded VP8 + Opus clip, made once with ffmpeg and
// packetized once into RTP payloads with their send times, both cached in the OS tmpdir.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FileByteSource } from '../../packages/media-server/src/playback/ByteSource.js';
import { RtpTrackSender } from '../../packages/media-server/src/playback/RtpTrackSender.js';
import { WebmDemuxer } from '../../packages/media-server/src/playback/webm/WebmDemuxer.js';
import { type MediaKind, RTP_HEADER_BYTES } from './rtp.js';

const run = promisify(execFile);

export const CLIP_SECONDS = 20;
const VIDEO_KBPS = 900;
const AUDIO_KBPS = 48;
/** Bump when the encoding or the cache format changes. */
const CACHE_VERSION = 1;
const CLOCK_RATES: Record<MediaKind, number> = { audio: 48000, video: 90000 };

export interface ClipPacket {
  readonly kind: MediaKind;
  /** When the packet is due, from the start of the clip. */
  readonly timeMs: number;
  /** RTP timestamp from the start of the clip, in the kind's clock. */
  readonly timestampOffset: number;
  readonly marker: boolean;
  readonly payload: Buffer;
}

export interface Clip {
  readonly packets: readonly ClipPacket[];
  /** The loop period: packets of loop `n` are due at `n * durationMs + timeMs`. */
  readonly durationMs: number;
  readonly clockRates: Readonly<Record<MediaKind, number>>;
}

export interface ClipRates {
  readonly packetsPerSecond: Readonly<Record<MediaKind | 'total', number>>;
  /** On the wire as plain RTP (12-byte header + payload), without UDP/IP. */
  readonly kilobitsPerSecond: Readonly<Record<MediaKind | 'total', number>>;
}

/** The clip's packets, from the cache or made now (ffmpeg, ~10 s once). */
export async function loadClip(): Promise<Clip> {
  const cache = join(tmpdir(), `medley-fanout-clip-v${CACHE_VERSION}.bin`);
  if (!existsSync(cache)) {
    const webm = join(tmpdir(), `medley-fanout-clip-v${CACHE_VERSION}.webm`);
    await encodeClip(webm);
    const packets = await packetize(webm);
    // Written whole, then renamed: a run interrupted half-way never leaves a truncated cache.
    await writeFile(`${cache}.partial`, serialize(packets));
    await rename(`${cache}.partial`, cache);
  }
  return {
    packets: deserialize(await readFile(cache)),
    durationMs: CLIP_SECONDS * 1000,
    clockRates: CLOCK_RATES,
  };
}

export function clipRates(clip: Clip): ClipRates {
  const seconds = clip.durationMs / 1000;
  const count = { audio: 0, video: 0 };
  const bytes = { audio: 0, video: 0 };
  for (const packet of clip.packets) {
    count[packet.kind]++;
    bytes[packet.kind] += RTP_HEADER_BYTES + packet.payload.length;
  }
  const kbps = (value: number) => (value * 8) / 1000 / seconds;
  return {
    packetsPerSecond: {
      audio: count.audio / seconds,
      video: count.video / seconds,
      total: (count.audio + count.video) / seconds,
    },
    kilobitsPerSecond: {
      audio: kbps(bytes.audio),
      video: kbps(bytes.video),
      total: kbps(bytes.audio + bytes.video),
    },
  };
}

async function encodeClip(path: string): Promise<void> {
  await run('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x480:rate=30'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(CLIP_SECONDS)],
    ...['-c:v', 'libvpx', '-b:v', `${VIDEO_KBPS}k`, '-minrate', `${VIDEO_KBPS}k`],
    ...['-maxrate', `${VIDEO_KBPS}k`, '-g', '60', '-keyint_min', '60'],
    ...['-deadline', 'realtime', '-cpu-used', '8'],
    ...['-c:a', 'libopus', '-b:a', `${AUDIO_KBPS}k`, '-frame_duration', '20', path],
  ]);
}

/** RTP payloads of every frame (the media server's own packetizers), in send order. */
async function packetize(webm: string): Promise<ClipPacket[]> {
  const demuxer = await WebmDemuxer.open(await FileByteSource.open(webm));
  const senders = new Map(demuxer.tracks.map((track) => [track.kind, new RtpTrackSender(track)]));
  const packets: ClipPacket[] = [];
  try {
    for await (const frame of demuxer.frames(0)) {
      const sender = senders.get(frame.kind);
      if (!sender || frame.timeMs >= CLIP_SECONDS * 1000) continue;
      const kind: MediaKind = frame.kind === 'video' ? 'video' : 'audio';
      const timestampOffset = Math.round((frame.timeMs * CLOCK_RATES[kind]) / 1000);
      sender.send(frame.data, frame.keyframe, 0, sender.nextPictureId(), (packet) =>
        packets.push({
          kind,
          timeMs: frame.timeMs,
          timestampOffset,
          marker: packet.marker,
          payload: Buffer.from(packet.payload),
        }),
      );
    }
  } finally {
    await demuxer.close();
  }
  return packets.sort((a, b) => a.timeMs - b.timeMs);
}

// Cache format, per packet: kind (u8, 1 = video), marker (u8), time (f64 ms), timestamp offset
// (u32), payload length (u16), payload.
const RECORD_HEADER_BYTES = 16;

function serialize(packets: readonly ClipPacket[]): Buffer {
  const parts: Buffer[] = [];
  for (const packet of packets) {
    const header = Buffer.alloc(RECORD_HEADER_BYTES);
    header[0] = packet.kind === 'video' ? 1 : 0;
    header[1] = packet.marker ? 1 : 0;
    header.writeDoubleLE(packet.timeMs, 2);
    header.writeUInt32LE(packet.timestampOffset, 10);
    header.writeUInt16LE(packet.payload.length, 14);
    parts.push(header, packet.payload);
  }
  return Buffer.concat(parts);
}

function deserialize(data: Buffer): ClipPacket[] {
  const packets: ClipPacket[] = [];
  for (let offset = 0; offset + RECORD_HEADER_BYTES <= data.length; ) {
    const length = data.readUInt16LE(offset + 14);
    packets.push({
      kind: data[offset] === 1 ? 'video' : 'audio',
      marker: data[offset + 1] === 1,
      timeMs: data.readDoubleLE(offset + 2),
      timestampOffset: data.readUInt32LE(offset + 10),
      payload: data.subarray(offset + RECORD_HEADER_BYTES, offset + RECORD_HEADER_BYTES + length),
    });
    offset += RECORD_HEADER_BYTES + length;
  }
  return packets;
}

// mediabunny's Input behind the player's Demuxer interface, as a switch would put it: the bench
// reads files through it and through Medley's own demuxers the same way (same ByteSource).
import {
  ALL_FORMATS,
  CustomSource,
  type EncodedPacket,
  EncodedPacketSink,
  Input,
  type InputAudioTrack,
  type InputVideoTrack,
} from 'mediabunny';
import type { ByteSource } from '../../packages/media-server/src/playback/ByteSource.js';
import type {
  DemuxedFrame,
  Demuxer,
  PlayableTrack,
} from '../../packages/media-server/src/playback/DemuxedMedia.js';
import type { RecordedCodec } from '../../packages/media-server/src/recording/MediaProfile.js';

const CODECS: Readonly<Record<string, RecordedCodec>> = {
  vp8: 'VP8',
  vp9: 'VP9',
  avc: 'H264',
  opus: 'OPUS',
};

interface OpenTrack {
  readonly description: PlayableTrack;
  readonly sink: EncodedPacketSink;
}

export class MediabunnyDemuxer implements Demuxer {
  readonly tracks: readonly PlayableTrack[];
  readonly durationMs: number;
  readonly #input: Input;
  readonly #open: readonly OpenTrack[];

  private constructor(input: Input, open: readonly OpenTrack[], durationMs: number) {
    this.#input = input;
    this.#open = open;
    this.tracks = open.map((track) => track.description);
    this.durationMs = durationMs;
  }

  static async open(source: ByteSource): Promise<MediabunnyDemuxer> {
    const input = new Input({
      formats: ALL_FORMATS,
      source: new CustomSource({
        getSize: () => source.size,
        read: (start, end) => source.read(start, end - start),
        dispose: () => void source.close(),
      }),
    });
    const open: OpenTrack[] = [];
    const video = (await input.getVideoTracks()).find((track) => codecOf(track) !== undefined);
    const audio = (await input.getAudioTracks()).find((track) => codecOf(track) !== undefined);
    if (video) open.push(await openTrack(video, 'video'));
    if (audio) open.push(await openTrack(audio, 'audio'));
    if (open.length === 0) throw new Error('no playable track');
    return new MediabunnyDemuxer(input, open, (await input.computeDuration()) * 1000);
  }

  async *frames(positionMs: number): AsyncIterableIterator<DemuxedFrame> {
    const video = this.#open.find((track) => track.description.kind === 'video');
    let startSeconds = positionMs / 1000;
    if (video) {
      const key = await video.sink.getKeyPacket(startSeconds);
      if (key) startSeconds = key.timestamp;
    }
    const streams = await Promise.all(
      this.#open.map(async (track) => {
        const first =
          (await track.sink.getPacket(startSeconds)) ?? (await track.sink.getFirstPacket());
        const packets = first ? track.sink.packets(first) : undefined;
        return { kind: track.description.kind, packets };
      }),
    );
    const heads: ({ kind: 'audio' | 'video'; packet: EncodedPacket } | undefined)[] =
      await Promise.all(streams.map((stream) => next(stream.kind, stream.packets)));
    for (;;) {
      let earliest = -1;
      heads.forEach((head, index) => {
        const best = earliest >= 0 ? heads[earliest] : undefined;
        if (head && (!best || head.packet.timestamp < best.packet.timestamp)) earliest = index;
      });
      const head = heads[earliest];
      if (!head) return;
      heads[earliest] = await next(head.kind, streams[earliest]?.packets);
      if (head.packet.timestamp < startSeconds - 1e-6) continue;
      const { data } = head.packet;
      yield {
        kind: head.kind,
        timeMs: head.packet.timestamp * 1000,
        data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
        keyframe: head.packet.type === 'key',
      };
    }
  }

  async close(): Promise<void> {
    this.#input.dispose();
  }
}

async function next(
  kind: 'audio' | 'video',
  packets: AsyncGenerator<EncodedPacket> | undefined,
): Promise<{ kind: 'audio' | 'video'; packet: EncodedPacket } | undefined> {
  const result = await packets?.next();
  return result && !result.done ? { kind, packet: result.value } : undefined;
}

function codecOf(track: InputVideoTrack | InputAudioTrack): RecordedCodec | undefined {
  return track.codec ? CODECS[track.codec] : undefined;
}

async function openTrack(
  track: InputVideoTrack | InputAudioTrack,
  kind: 'audio' | 'video',
): Promise<OpenTrack> {
  const codec = codecOf(track) as RecordedCodec;
  const config = await track.getDecoderConfig();
  const description = config?.description;
  const avcConfiguration =
    codec === 'H264' && description
      ? Buffer.from(
          ArrayBuffer.isView(description)
            ? new Uint8Array(description.buffer, description.byteOffset, description.byteLength)
            : new Uint8Array(description),
        )
      : undefined;
  const base = { kind, codec, number: track.id };
  const playable: PlayableTrack =
    kind === 'video'
      ? {
          ...base,
          width: (track as InputVideoTrack).codedWidth,
          height: (track as InputVideoTrack).codedHeight,
          ...(avcConfiguration ? { avcConfiguration } : {}),
        }
      : { ...base, channels: (track as InputAudioTrack).numberOfChannels };
  return { description: playable, sink: new EncodedPacketSink(track) };
}

import type { MediaCodec, MediaPacket } from '../graph/index.js';
import type { Logger } from '../logger.js';
import { encodeChain } from '../processing/codecElements.js';
import type { ProcessingPlane } from '../processing/ProcessingPlane.js';
import type { ProcessingStage } from '../processing/ProcessingStage.js';

/** A file's media once it stopped arriving for this long is over (a file without audio never sends the audio branch EOS). */
const END_SILENCE_MS = 2500;

/** What a {@link GstFilePlayback} tells its player. */
export interface GstFilePlaybackHandlers {
  readonly onPacket: (kind: 'audio' | 'video', packet: MediaPacket) => void;
  readonly onEndOfStream: () => void;
  readonly onError: (message: string) => void;
}

/** What the stage makes of any file: VP8 video and Opus audio, which every browser takes. */
export const GST_FILE_VIDEO_CODEC: MediaCodec = {
  mimeType: 'video/VP8',
  payloadType: 96,
  clockRate: 90000,
};
/** The audio half of {@link GST_FILE_VIDEO_CODEC}. */
export const GST_FILE_AUDIO_CODEC: MediaCodec = {
  mimeType: 'audio/opus',
  payloadType: 111,
  clockRate: 48000,
  channels: 2,
  parameters: 'minptime=10;useinbandfec=1',
};

function quoted(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/**
 * Plays a file of a container the in-process demuxers do not read (MPEG-TS, MOV, Matroska
 * with codecs other than VP8/VP9/H.264/Opus, ...) through a GStreamer stage: `decodebin`
 * decodes whatever GStreamer reads, and the stage encodes VP8 and Opus in real time; sinks
 * that negotiated something else get the graph's transcoding. `path` must already be checked
 * to be inside the media root (the player does it).
 */
export class GstFilePlayback {
  readonly #path: string;
  readonly #plane: ProcessingPlane;
  readonly #logger: Logger;
  readonly #handlers: GstFilePlaybackHandlers;
  #stage: ProcessingStage | undefined;
  #lastPacketAtMs = 0;
  #started = false;
  #watchdog: NodeJS.Timeout | undefined;

  constructor(
    path: string,
    services: { plane: ProcessingPlane; logger: Logger },
    handlers: GstFilePlaybackHandlers,
  ) {
    this.#path = path;
    this.#plane = services.plane;
    this.#logger = services.logger;
    this.#handlers = handlers;
  }

  /** Plays from the start; does nothing while playing. */
  async play(): Promise<void> {
    if (this.#stage) return;
    const stage = await this.#plane.launchStage('file playback');
    this.#stage = stage;
    this.#started = false;
    stage.onPacket = (stream, packet) => {
      this.#lastPacketAtMs = performance.now();
      this.#started = true;
      this.#handlers.onPacket(stream === 'video' ? 'video' : 'audio', packet);
    };
    stage.on('failed', (error) => {
      if (this.#stage !== stage) return;
      void this.stop();
      this.#handlers.onError(error.message);
    });
    stage.on('endofstream', () => this.#ended(stage));
    const bitrate = { bitrate: 1_000_000 };
    const description =
      `filesrc location=${quoted(this.#path)} ! decodebin name=decoded ` +
      'decoded. ! queue ! videoconvert ! videoscale ! videorate ! video/x-raw,format=I420 ! ' +
      `${encodeChain('video', GST_FILE_VIDEO_CODEC, bitrate).replace('sync=false', 'sync=true')} ` +
      'decoded. ! queue ! audioconvert ! audioresample ! ' +
      encodeChain('audio', GST_FILE_AUDIO_CODEC, { bitrate: 64_000 }).replace(
        'sync=false',
        'sync=true',
      );
    this.#logger.debug('file playback through GStreamer', { description });
    await stage.start(description, [
      { name: 'video', output: GST_FILE_VIDEO_CODEC },
      { name: 'audio', output: GST_FILE_AUDIO_CODEC },
    ]);
    this.#watchdog = setInterval(() => {
      if (this.#started && performance.now() - this.#lastPacketAtMs > END_SILENCE_MS) {
        this.#ended(stage);
      }
    }, 500);
    this.#watchdog.unref();
  }

  /** Asks the stage's video encoder for a keyframe. */
  requestKeyframe(): void {
    this.#stage?.requestKeyframe('video');
  }

  /** Stops and reaps the stage. */
  async stop(): Promise<void> {
    clearInterval(this.#watchdog);
    this.#watchdog = undefined;
    const stage = this.#stage;
    this.#stage = undefined;
    if (stage) await this.#plane.closeStage(stage);
  }

  #ended(stage: ProcessingStage): void {
    if (this.#stage !== stage) return;
    void this.stop();
    this.#handlers.onEndOfStream();
  }
}

import {
  describeCodec,
  MEDIA_TYPES,
  type MediaCodec,
  MediaGraphError,
  MediaNode,
  type MediaPacket,
  passThrough,
} from '../graph/index.js';
import type { Logger } from '../logger.js';
import {
  canDecode,
  canEncode,
  decodeChain,
  encodeChain,
  kindOf,
  LEAKY_QUEUE,
  producedCodec,
  rawConversion,
} from './codecElements.js';
import { EncoderBitrate } from './EncoderBitrate.js';
import type { ProcessingStage } from './ProcessingStage.js';

const STREAM = 'medley_media';
const BEFORE_COMMAND = 'medley_before';
const AFTER_COMMAND = 'medley_after';
/** When the input codec cannot be encoded again (VP9), the filter's output falls back to these. */
const FALLBACK_OUTPUT: Readonly<Record<'AUDIO' | 'VIDEO', MediaCodec>> = {
  VIDEO: { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 },
  AUDIO: { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 },
};

export interface FilterNodeOptions {
  /** The gst-launch fragment between the decoder and the encoder (already checked). */
  readonly command: string;
  /** The media the command filters; the other media passes through untouched. */
  readonly mediaType: 'AUDIO' | 'VIDEO';
  readonly stage: ProcessingStage;
  readonly logger: Logger;
  /** The element type, for error messages (GStreamerFilter by default). */
  readonly name?: string;
  /** Called each time the stage's pipeline (re)starts: to set up its elements again. */
  readonly onStarted?: () => Promise<void>;
}

/**
 * The graph side of a filter: the filtered media goes through a GStreamer stage (decode, the
 * command, encode again in the codec it came in), the rest passes through as in a PassThrough.
 * The stage's pipeline is built when the first packet shows the codec, and rebuilt if the
 * source's codec changes. Keyframe requests cross the stage both ways, and the encoder follows
 * the lowest bitrate the filter's receivers report.
 */
export class FilterNode extends MediaNode {
  readonly filteredType: 'AUDIO' | 'VIDEO';
  readonly stage: ProcessingStage;
  readonly #command: string;
  readonly #logger: Logger;
  #inputCodec: MediaCodec | undefined;
  #outputCodec: MediaCodec | undefined;
  #running = false;
  readonly #bitrate: EncoderBitrate;
  #failed = false;
  readonly #onStarted: (() => Promise<void>) | undefined;

  constructor(options: FilterNodeOptions) {
    super({ name: options.name ?? 'GStreamerFilter' });
    this.#onStarted = options.onStarted;
    this.filteredType = options.mediaType;
    this.stage = options.stage;
    this.#command = options.command;
    this.#logger = options.logger;
    this.#bitrate = new EncoderBitrate(
      options.mediaType === 'VIDEO' ? 'video' : 'audio',
      options.logger,
    );
    for (const mediaType of MEDIA_TYPES) {
      if (mediaType !== this.filteredType) passThrough(this, mediaType);
    }
    const sinkPad = this.sink(this.filteredType);
    const sourcePad = this.source(this.filteredType);
    sinkPad.onRtp = (packet) => this.#filter(packet);
    sourcePad.onKeyframeRequest = () => this.stage.requestKeyframe(STREAM);
    sourcePad.onReceiverBitrate = (estimate) => {
      if (this.#outputCodec) this.#bitrate.follow(this.stage, STREAM, this.#outputCodec, estimate);
    };
    this.stage.onPacket = (_stream, packet) => sourcePad.pushRtp(packet);
    this.stage.on('keyframeneeded', () => sinkPad.requestKeyframe());
    this.stage.on('failed', (error) => this.#fail(error.message));
  }

  /**
   * The names of the stage's elements that came from the command, in pipeline order (the ones
   * between the server's glue before and after it); empty until the pipeline runs.
   */
  commandElements(): string[] {
    const elements = this.stage.elements;
    const first = elements.indexOf(`${BEFORE_COMMAND}_scale`);
    const last = elements.indexOf(`${AFTER_COMMAND}_convert`);
    return first >= 0 && last > first ? elements.slice(first + 1, last) : [];
  }

  /** The codec the filter sends now, once media went through it. */
  get outputCodec(): MediaCodec | undefined {
    return this.#outputCodec;
  }

  #filter(packet: MediaPacket): void {
    if (this.#failed) return;
    if (packet.codec !== this.#inputCodec) {
      this.#restart(packet.codec);
      return;
    }
    if (this.#running) this.stage.send(STREAM, packet);
  }

  /** Builds the stage's pipeline for a new input codec; packets wait (are dropped) meanwhile. */
  #restart(codec: MediaCodec): void {
    this.#inputCodec = codec;
    this.#running = false;
    if (!canDecode(codec) || kindOf(codec) !== this.filteredType.toLowerCase()) {
      this.reportError(
        new MediaGraphError(
          'CODEC_NOT_NEGOTIATED',
          `${this.name} cannot decode ${describeCodec(codec)}: its ${this.filteredType} is dropped. Send VP8, VP9 or H.264 video, Opus, PCMU or PCMA audio.`,
          this.filteredType,
        ),
      );
      return;
    }
    const output = producedCodec(canEncode(codec) ? codec : FALLBACK_OUTPUT[this.filteredType]);
    const kind = kindOf(codec);
    const description =
      `${decodeChain(STREAM, codec)} ! ${rawConversion(kind, BEFORE_COMMAND)} ! ${this.#command} ! ` +
      `${rawConversion(kind, AFTER_COMMAND)} ! ${LEAKY_QUEUE} ! ${encodeChain(STREAM, output, { bitrate: this.#bitrate.current })}`;
    this.stage
      .start(description, [{ name: STREAM, output }])
      .then(async () => {
        if (this.#inputCodec !== codec || this.released) return;
        await this.#onStarted?.();
        this.#outputCodec = output;
        this.#running = true;
        this.sink(this.filteredType).requestKeyframe();
      })
      .catch((error: unknown) =>
        this.#fail(error instanceof Error ? error.message : String(error)),
      );
  }

  #fail(reason: string): void {
    if (this.#failed || this.released) return;
    this.#failed = true;
    this.#running = false;
    this.reportError(
      new MediaGraphError(
        'PROCESSING_FAILED',
        `The filter stopped: ${reason} Its ${this.filteredType} no longer flows (the other media does); release the filter and create a new one.`,
        this.filteredType,
      ),
    );
  }
}

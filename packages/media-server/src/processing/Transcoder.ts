import {
  describeCodec,
  type MediaCodec,
  MediaGraphError,
  MediaNode,
  type MediaSinkPad,
  type MediaSourcePad,
} from '../graph/index.js';
import type { Logger } from '../logger.js';
import { decodeChain, encodeChain, kindOf, LEAKY_QUEUE, rawConversion } from './codecElements.js';
import { EncoderBitrate } from './EncoderBitrate.js';
import type { ProcessingPlane } from './ProcessingPlane.js';
import type { ProcessingStage } from './ProcessingStage.js';

/** The one stream of a transcoder's stage. */
const STREAM = 'medley_media';

/** How often the encoder's bitrate follows the lowest receiver estimate. */
const BITRATE_CHECK_INTERVAL_MS = 1000;

/**
 * One conversion of a source pad's stream into another codec, shared by every sink that needs
 * that codec: a hidden tap on the source feeds a GStreamer stage (depay, decode, encode, pay),
 * and each packet it makes is handed to every subscribed sink. The tap asks the source for
 * keyframes when the decoder needs one; the subscribers' requests make the encoder send one.
 */
export class Transcoder {
  readonly binName: string;
  readonly source: MediaSourcePad;
  readonly input: MediaCodec;
  readonly output: MediaCodec;
  readonly #plane: ProcessingPlane;
  readonly #logger: Logger;
  readonly #onClosed: () => void;
  /** Graph node that consumes the source (invisible to the Kurento API: no element owns it). */
  readonly #tap: MediaNode;
  readonly #subscribers = new Set<MediaSinkPad>();
  readonly #bitrateTimer: NodeJS.Timeout;
  #stage: ProcessingStage | undefined;
  readonly #bitrate: EncoderBitrate;
  #closed = false;

  constructor(
    plane: ProcessingPlane,
    source: MediaSourcePad,
    input: MediaCodec,
    output: MediaCodec,
    binName: string,
    logger: Logger,
    onClosed: () => void,
  ) {
    this.#plane = plane;
    this.source = source;
    this.input = input;
    this.output = output;
    this.binName = binName;
    this.#logger = logger.child({ transcoder: binName });
    this.#onClosed = onClosed;
    this.#bitrate = new EncoderBitrate(kindOf(output), this.#logger);
    this.#tap = new MediaNode({ name: binName });
    const mediaType = source.mediaType;
    const tapSink = this.#tap.sink(mediaType);
    tapSink.onRtp = (packet) => this.#stage?.send(STREAM, packet);
    // The tap's own source pad is never linked: it throttles the subscribers' keyframe requests.
    this.#tap.source(mediaType).onKeyframeRequest = () => this.#stage?.requestKeyframe(STREAM);
    source.setTranscoding(binName, true);
    this.#bitrateTimer = setInterval(
      () => this.#followReceiverBitrate(),
      BITRATE_CHECK_INTERVAL_MS,
    );
    this.#bitrateTimer.unref();
    void this.#start();
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** The GStreamer stage doing the work, once it runs. */
  get stage(): ProcessingStage | undefined {
    return this.#stage;
  }

  subscribe(sink: MediaSinkPad): void {
    this.#subscribers.add(sink);
  }

  /** A sink leaves; the last one stops the transcoder. */
  unsubscribe(sink: MediaSinkPad): void {
    this.#subscribers.delete(sink);
    if (this.#subscribers.size === 0) void this.close();
  }

  /** A subscriber's receiver lost a picture (throttled to one keyframe per 500 ms). */
  requestKeyframe(): void {
    this.#tap.source(this.source.mediaType).requestKeyframe();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#bitrateTimer);
    this.source.node.disconnect(this.#tap, this.source.mediaType);
    this.#tap.release();
    this.source.setTranscoding(this.binName, false);
    this.#onClosed();
    const stage = this.#stage;
    this.#stage = undefined;
    if (stage) await this.#plane.closeStage(stage);
    this.#logger.info('transcoder stopped', {
      from: describeCodec(this.input),
      to: describeCodec(this.output),
    });
  }

  async #start(): Promise<void> {
    const mediaType = this.source.mediaType;
    try {
      const stage = await this.#plane.launchStage(this.binName);
      if (this.#closed) {
        await this.#plane.closeStage(stage);
        return;
      }
      this.#stage = stage;
      stage.onPacket = (_stream, packet) => {
        for (const sink of this.#subscribers) sink.deliverAdaptedRtp(packet);
      };
      stage.on('keyframeneeded', () => this.#tap.sink(mediaType).requestKeyframe());
      stage.on('failed', (error) => this.#fail(error.message));
      const kind = kindOf(this.output);
      await stage.start(
        `${decodeChain(STREAM, this.input)} ! ${rawConversion(kind, 'medley_raw')} ! ${LEAKY_QUEUE} ! ` +
          encodeChain(STREAM, this.output, { bitrate: this.#bitrate.current }),
        [{ name: STREAM, output: this.output }],
      );
      // Linked only now: linking asks the source for a keyframe, and a source that cannot make
      // one (a player resends its last group of pictures, at most once a second) must not
      // spend that answer on a stage that is not there to take it.
      if (!this.#closed) this.source.node.connect(this.#tap, mediaType);
    } catch (error) {
      this.#fail(error instanceof Error ? error.message : String(error));
    }
  }

  #fail(reason: string): void {
    if (this.#closed) return;
    const error = new MediaGraphError(
      'TRANSCODING_FAILED',
      `The transcoder from ${describeCodec(this.input)} to ${describeCodec(this.output)} stopped: ${reason} ` +
        'Its receivers get no such media until the link is made again.',
      this.source.mediaType,
    );
    this.#logger.warn('transcoder failed', { reason });
    const subscribers = [...this.#subscribers];
    this.#subscribers.clear();
    for (const sink of subscribers) sink.adaptationFailed(error);
    void this.close();
  }

  /** The encoder follows the lowest bitrate its receivers report (their REMB), as a browser would. */
  #followReceiverBitrate(): void {
    const stage = this.#stage;
    if (!stage) return;
    let lowest: number | undefined;
    for (const sink of this.#subscribers) {
      const estimate = sink.receiverBitrate();
      if (estimate !== undefined && (lowest === undefined || estimate < lowest)) lowest = estimate;
    }
    this.#bitrate.follow(stage, STREAM, this.output, lowest);
  }
}

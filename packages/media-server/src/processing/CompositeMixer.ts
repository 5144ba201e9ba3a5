import {
  describeCodec,
  type MediaCodec,
  MediaGraphError,
  type MediaPacket,
} from '../graph/index.js';
import type { Logger } from '../logger.js';
import type { CompositeMixerLink, CompositePortNode } from './CompositePortNode.js';
import { canDecode, decodeChain, encodeChain, kindOf, LEAKY_QUEUE } from './codecElements.js';
import { EncoderBitrate } from './EncoderBitrate.js';
import { gridLayout } from './gridLayout.js';
import type { ProcessingPlane } from './ProcessingPlane.js';
import type { ProcessingStage } from './ProcessingStage.js';

/** Output picture of a Composite (Kurento's constructor parameters). */
export interface CompositeSettings {
  readonly width: number;
  readonly height: number;
  readonly framerate: number;
}

const MIXER = 'medley_mix';
const MIXED_VIDEO = 'mixv';
const MIXED_VIDEO_CODEC: MediaCodec = { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 };
const MIXED_AUDIO_CODEC: MediaCodec = {
  mimeType: 'audio/opus',
  payloadType: 111,
  clockRate: 48000,
  channels: 2,
};
/**
 * How long the mixers wait for a late input before mixing without it (ns). Inputs come through
 * a 50 ms jitter buffer and a decoder; this covers a busy machine without adding to the delay
 * of inputs that are on time.
 */
const MIXER_LATENCY_NS = 100_000_000;
const RAW_AUDIO = 'audio/x-raw,rate=48000,channels=2';

interface InputState {
  readonly codec: MediaCodec;
  running: boolean;
}

/** One port as the mixer knows it; `key` names its GStreamer elements and streams. */
interface MixerPort {
  readonly key: number;
  readonly node: CompositePortNode;
  video: InputState | undefined;
  audio: InputState | undefined;
  /** The compositor pad its video takes (`sink_2`), once its video branch runs. */
  videoPad: string | undefined;
  /** Whether its decoded audio runs into its tee (from which the others' mixes take it). */
  hasAudioIn: boolean;
  hasAudioOut: boolean;
}

/**
 * Kurento's Composite, in one GStreamer stage: every port's video decoded and laid out in a
 * grid by one compositor (encoded once, sent to every port), and for each port an audio mix of
 * every other port (so nobody hears themselves). Ports join and leave as branches added to and
 * removed from the running pipeline, so the others' media never restarts.
 *
 * The stage starts with the first media a port sends and stops when the last port leaves: an
 * idle Composite runs no process. All changes to the stage are made one at a time, in order.
 */
export class CompositeMixer implements CompositeMixerLink {
  readonly settings: CompositeSettings;
  readonly #plane: ProcessingPlane;
  readonly #logger: Logger;
  readonly #label: string;
  readonly #ports = new Map<CompositePortNode, MixerPort>();
  /** Each port by the names of its streams (`p3v`, `p3a`, `p3o`), for what the stage sends. */
  readonly #portsByStream = new Map<string, MixerPort>();
  readonly #bitrate: EncoderBitrate;
  #nextKey = 0;
  #stage: ProcessingStage | undefined;
  #changes: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(plane: ProcessingPlane, settings: CompositeSettings, logger: Logger, label: string) {
    this.#plane = plane;
    this.settings = settings;
    this.#logger = logger.child({ composite: label });
    this.#label = label;
    this.#bitrate = new EncoderBitrate('video', this.#logger);
  }

  /** The GStreamer stage while the mix runs (for tests and stats). */
  get stage(): ProcessingStage | undefined {
    return this.#stage;
  }

  addPort(node: CompositePortNode): void {
    const port: MixerPort = {
      key: this.#nextKey++,
      node,
      video: undefined,
      audio: undefined,
      videoPad: undefined,
      hasAudioIn: false,
      hasAudioOut: false,
    };
    this.#ports.set(node, port);
    for (const stream of streamsOf(port)) this.#portsByStream.set(stream, port);
    this.#change(async (stage) => {
      if (stage && this.#ports.has(node)) await this.#addAudioOut(stage, port);
    });
  }

  removePort(node: CompositePortNode): void {
    const port = this.#ports.get(node);
    if (!port) return;
    this.#ports.delete(node);
    for (const stream of streamsOf(port)) this.#portsByStream.delete(stream);
    this.#change(async (stage) => {
      if (!stage) return;
      if (this.#ports.size === 0) {
        await this.#stopStage();
        return;
      }
      await this.#removePortBranches(stage, port);
      await this.#layout(stage);
    });
  }

  receive(node: CompositePortNode, mediaType: 'AUDIO' | 'VIDEO', packet: MediaPacket): void {
    const port = this.#ports.get(node);
    if (!port || this.#closed) return;
    const input = mediaType === 'VIDEO' ? port.video : port.audio;
    if (input?.codec === packet.codec) {
      if (input.running) this.#stage?.send(inputStream(port, mediaType), packet);
      return;
    }
    this.#attachInput(port, mediaType, packet.codec);
  }

  requestKeyframe(): void {
    this.#stage?.requestKeyframe(MIXED_VIDEO);
  }

  /** The one encoder follows the lowest estimate among every port's receivers. */
  receiverBitrateChanged(): void {
    const stage = this.#stage;
    if (!stage) return;
    let lowest: number | undefined;
    for (const port of this.#ports.values()) {
      const estimate = port.node.source('VIDEO').receiverBitrate();
      if (estimate !== undefined && (lowest === undefined || estimate < lowest)) lowest = estimate;
    }
    this.#bitrate.follow(stage, MIXED_VIDEO, MIXED_VIDEO_CODEC, lowest);
  }

  /** Stops the mix and reaps its process. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#ports.clear();
    this.#portsByStream.clear();
    this.#change(() => this.#stopStage());
    await this.#changes;
  }

  #attachInput(port: MixerPort, mediaType: 'AUDIO' | 'VIDEO', codec: MediaCodec): void {
    const wanted = mediaType === 'VIDEO' ? 'video' : 'audio';
    const input: InputState = { codec, running: false };
    if (mediaType === 'VIDEO') port.video = input;
    else port.audio = input;
    if (!canDecode(codec) || kindOf(codec) !== wanted) {
      port.node.reportError(
        new MediaGraphError(
          'CODEC_NOT_NEGOTIATED',
          `Composite cannot decode ${describeCodec(codec)}: this port's ${mediaType} is left out of the mix. Send VP8, VP9 or H.264 video, Opus, PCMU or PCMA audio.`,
          mediaType,
        ),
      );
      return;
    }
    this.#change(async (current) => {
      if (
        !this.#ports.has(port.node) ||
        (mediaType === 'VIDEO' ? port.video : port.audio) !== input
      )
        return;
      const stage = current ?? (await this.#startStage());
      if (!stage) return;
      if (mediaType === 'VIDEO') {
        await this.#removeVideoIn(stage, port);
        await this.#addVideoIn(stage, port, codec);
        await this.#layout(stage);
      } else {
        await this.#removeAudioIn(stage, port);
        await this.#addAudioIn(stage, port, codec);
      }
      input.running = true;
      if (mediaType === 'VIDEO') port.node.sink('VIDEO').requestKeyframe();
    });
  }

  /** Queues a change of the stage; a failure is reported on every port, never thrown. */
  #change(change: (stage: ProcessingStage | undefined) => Promise<void>): void {
    this.#changes = this.#changes
      .then(() => change(this.#stage))
      .catch((error: unknown) =>
        this.#fail(error instanceof Error ? error.message : String(error)),
      );
  }

  async #startStage(): Promise<ProcessingStage | undefined> {
    if (this.#closed) return undefined;
    const stage = await this.#plane.launchStage(`Composite ${this.#label}`);
    this.#stage = stage;
    stage.onPacket = (stream, packet) => this.#deliver(stream, packet);
    stage.on('keyframeneeded', (stream) =>
      this.#portsByStream.get(stream)?.node.sink('VIDEO').requestKeyframe(),
    );
    stage.on('failed', (error) => this.#fail(error.message));
    const { width, height, framerate } = this.settings;
    const picture = `video/x-raw,width=${width},height=${height},framerate=${framerate}/1`;
    // The black background is a live source: the mix goes on at the frame rate whatever the
    // inputs do, and a port whose video stalls does not stall the others.
    await stage.start(
      `videotestsrc is-live=true pattern=black ! ${picture} ! ` +
        `compositor name=${MIXER} background=black force-live=true latency=${MIXER_LATENCY_NS} ignore-inactive-pads=true ! ` +
        `${picture} ! videoconvert ! ${LEAKY_QUEUE} ! ` +
        encodeChain(MIXED_VIDEO, MIXED_VIDEO_CODEC, { bitrate: this.#bitrate.current }),
      [{ name: MIXED_VIDEO, output: MIXED_VIDEO_CODEC }],
    );
    for (const port of this.#ports.values()) await this.#addAudioOut(stage, port);
    return stage;
  }

  async #stopStage(): Promise<void> {
    const stage = this.#stage;
    this.#stage = undefined;
    for (const port of this.#ports.values()) {
      port.videoPad = undefined;
      port.hasAudioIn = false;
      port.hasAudioOut = false;
      port.video = undefined;
      port.audio = undefined;
    }
    if (stage) await this.#plane.closeStage(stage);
  }

  #deliver(stream: string, packet: MediaPacket): void {
    if (stream === MIXED_VIDEO) {
      for (const port of this.#ports.values()) port.node.source('VIDEO').pushRtp(packet);
      return;
    }
    this.#portsByStream.get(stream)?.node.source('AUDIO').pushRtp(packet);
  }

  async #addVideoIn(stage: ProcessingStage, port: MixerPort, codec: MediaCodec): Promise<void> {
    const name = `p${port.key}v`;
    const queue = `${name}_queue`;
    const pads = await stage.addBranch({
      name,
      description: `${decodeChain(name, codec)} ! queue name=${queue} max-size-buffers=3 max-size-bytes=0 max-size-time=0 leaky=downstream`,
      streams: [{ name }],
      links: [{ from: queue, to: MIXER, toPad: 'sink_%u', padProperties: { zorder: 1 } }],
    });
    port.videoPad = pads[0]?.to;
  }

  async #removeVideoIn(stage: ProcessingStage, port: MixerPort): Promise<void> {
    if (port.videoPad === undefined) return;
    port.videoPad = undefined;
    await stage.removeBranch(`p${port.key}v`, [`p${port.key}v`]);
  }

  /** A port's decoded audio goes to a tee, from which each other port's mix takes it. */
  async #addAudioIn(stage: ProcessingStage, port: MixerPort, codec: MediaCodec): Promise<void> {
    const name = `p${port.key}a`;
    await stage.addBranch({
      name,
      description: `${decodeChain(name, codec)} ! audioconvert ! audioresample ! ${RAW_AUDIO} ! tee name=${name}_tee allow-not-linked=true`,
      streams: [{ name }],
      links: [],
    });
    port.hasAudioIn = true;
    for (const listener of this.#ports.values())
      if (listener !== port && listener.hasAudioOut)
        await this.#addCrossLink(stage, port, listener);
  }

  async #removeAudioIn(stage: ProcessingStage, port: MixerPort): Promise<void> {
    if (!port.hasAudioIn) return;
    for (const listener of this.#ports.values())
      if (listener !== port && listener.hasAudioOut)
        await this.#removeCrossLink(stage, port, listener);
    port.hasAudioIn = false;
    await stage.removeBranch(`p${port.key}a`, [`p${port.key}a`]);
  }

  /** A port's own mix: a silent live source (so it runs alone) and every other port's voice. */
  async #addAudioOut(stage: ProcessingStage, port: MixerPort): Promise<void> {
    if (port.hasAudioOut) return;
    const name = `p${port.key}o`;
    await stage.addBranch({
      name,
      description:
        `audiotestsrc is-live=true wave=silence ! ${RAW_AUDIO} ! ` +
        `audiomixer name=${name}_mix force-live=true latency=${MIXER_LATENCY_NS} ignore-inactive-pads=true ! ` +
        encodeChain(name, MIXED_AUDIO_CODEC, { bitrate: 64_000 }),
      streams: [{ name, output: MIXED_AUDIO_CODEC }],
      links: [],
    });
    port.hasAudioOut = true;
    for (const speaker of this.#ports.values())
      if (speaker !== port && speaker.hasAudioIn) await this.#addCrossLink(stage, speaker, port);
  }

  async #addCrossLink(
    stage: ProcessingStage,
    speaker: MixerPort,
    listener: MixerPort,
  ): Promise<void> {
    const name = crossLinkName(speaker, listener);
    await stage.addBranch({
      name,
      description: `queue name=${name} max-size-time=200000000 max-size-buffers=0 max-size-bytes=0 leaky=downstream`,
      streams: [],
      links: [
        { from: `p${speaker.key}a_tee`, fromPad: 'src_%u', to: name },
        { from: name, to: `p${listener.key}o_mix`, toPad: 'sink_%u' },
      ],
    });
  }

  async #removeCrossLink(
    stage: ProcessingStage,
    speaker: MixerPort,
    listener: MixerPort,
  ): Promise<void> {
    await stage.removeBranch(crossLinkName(speaker, listener), []);
  }

  async #removePortBranches(stage: ProcessingStage, port: MixerPort): Promise<void> {
    await this.#removeVideoIn(stage, port);
    await this.#removeAudioIn(stage, port);
    if (port.hasAudioOut) {
      for (const speaker of this.#ports.values())
        if (speaker !== port && speaker.hasAudioIn)
          await this.#removeCrossLink(stage, speaker, port);
      port.hasAudioOut = false;
      await stage.removeBranch(`p${port.key}o`, [`p${port.key}o`]);
    }
  }

  /** Places every port's video in the grid, in the order the ports joined. */
  async #layout(stage: ProcessingStage): Promise<void> {
    const inGrid = [...this.#ports.values()]
      .filter((port) => port.videoPad !== undefined)
      .sort((a, b) => a.key - b.key);
    const cells = gridLayout(inGrid.length, this.settings.width, this.settings.height);
    for (const [index, port] of inGrid.entries()) {
      const cell = cells[index];
      if (cell && port.videoPad) await stage.setPadProperties(MIXER, port.videoPad, { ...cell });
    }
  }

  #fail(reason: string): void {
    if (this.#closed) return;
    this.#logger.warn('composite failed', { reason });
    for (const port of this.#ports.values()) {
      port.node.reportError(
        new MediaGraphError(
          'PROCESSING_FAILED',
          `The Composite's mix stopped: ${reason} Release the Composite and create a new one.`,
          'VIDEO',
        ),
      );
    }
  }
}

/** A port's streams: its video and audio into the stage, and its own audio mix out. */
function streamsOf(port: MixerPort): string[] {
  return [inputStream(port, 'VIDEO'), inputStream(port, 'AUDIO'), `p${port.key}o`];
}

function inputStream(port: MixerPort, mediaType: 'AUDIO' | 'VIDEO'): string {
  return `p${port.key}${mediaType === 'VIDEO' ? 'v' : 'a'}`;
}

function crossLinkName(speaker: MixerPort, listener: MixerPort): string {
  return `x${speaker.key}to${listener.key}`;
}

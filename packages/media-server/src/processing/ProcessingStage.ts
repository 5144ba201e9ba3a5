import type { MediaCodec, MediaPacket } from '../graph/index.js';
import { TypedEventEmitter } from '../graph/TypedEventEmitter.js';
import type { Logger } from '../logger.js';
import { redactCredentialsIn } from '../redactCredentials.js';
import { encoderName } from './codecElements.js';
import { GstStageProcess, type StageEvent } from './GstStageProcess.js';
import { ProcessingError } from './ProcessingError.js';
import { RtpStreamPort } from './RtpStreamPort.js';
import type { VisionAnalyser } from './visionCommand.js';

/** One media stream of a stage: RTP goes in under `name`, and out as `output` when it has one. */
export interface StageStream {
  /** Also the prefix of its GStreamer elements: `<name>_in`, `<name>_out`, `<name>_encoder`. */
  readonly name: string;
  /** The codec the stage sends back (its encoder's); absent for streams that only go in. */
  readonly output?: MediaCodec;
}

/** What a filter command is, as GStreamer parsed it. */
export interface CommandCheck {
  readonly factories: readonly string[];
  /** `video`, `audio`, `any` (takes both, e.g. a queue) or `other`. */
  readonly sinkKind: string;
  readonly sourceKind: string;
}

/** A link from an element of a stage's pipeline to another; `%u` pad names request a pad. */
export interface StageLink {
  readonly from: string;
  readonly fromPad?: string;
  readonly to: string;
  readonly toPad?: string;
  /** Properties of the sink pad (a compositor pad's `xpos`, `width`, ...). */
  readonly padProperties?: Readonly<Record<string, string | number | boolean>>;
}

/** Part of a running pipeline that is added and removed without stopping the rest. */
export interface StageBranch {
  /** Unique in the stage; prefix of the branch's element names by convention. */
  readonly name: string;
  /** gst-launch description of the branch's own elements (named, so links can find them). */
  readonly description: string;
  readonly streams: readonly StageStream[];
  readonly links: readonly StageLink[];
}

/** Where an overlay image goes, in fractions (0–1) of the frame. */
export interface FramePlacement {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly keepAspectRatio: boolean;
  readonly center: boolean;
}

/** Where a face's image goes, in ratios of the face's width and height (Kurento's geometry). */
export interface FacePlacement {
  readonly offsetX: number;
  readonly offsetY: number;
  readonly width: number;
  readonly height: number;
}

export interface ProcessingStageEvents {
  [event: string]: unknown[];
  /** The stage's decoder lost its picture on this stream: ask the stream's source for a keyframe. */
  keyframeneeded: [stream: string];
  /** A GStreamer element posted a message (detections of CV filters, levels, ...). */
  elementmessage: [element: string | null, structure: Readonly<Record<string, unknown>>];
  /** The stage stopped working (its process died, or GStreamer reported an error); it is closed. */
  failed: [ProcessingError];
  /** Every sink of the pipeline got end-of-stream (a stage that plays a file reached its end). */
  endofstream: [];
}

export interface ProcessingStageOptions {
  readonly python: string;
  readonly logger: Logger;
  readonly label: string;
  /** Descriptors the stage's process inherits as fds 3, 4, … (see GstStageProcessOptions). */
  readonly inheritedFiles?: readonly number[];
}

/**
 * A processing stage as the graph sees it: streams of RTP in and out, keyframe requests both
 * ways, property changes, and one failure event. Behind it, one GStreamer process
 * ({@link GstStageProcess}) whose pipeline can be replaced (e.g. when the input codec changes).
 */
export class ProcessingStage extends TypedEventEmitter<ProcessingStageEvents> {
  readonly label: string;
  /** Set by the owner: each RTP packet the stage produces (hot path; see MediaPacket ownership). */
  onPacket: ((stream: string, packet: MediaPacket) => void) | undefined;
  readonly #process: GstStageProcess;
  readonly #logger: Logger;
  #ports = new Map<string, RtpStreamPort>();
  #elements: readonly string[] = [];
  #closed = false;
  #failed = false;

  private constructor(process: GstStageProcess, options: ProcessingStageOptions) {
    super();
    this.label = options.label;
    this.#process = process;
    this.#logger = options.logger;
    process.on('stageevent', (event) => this.#onStageEvent(event));
    process.on('exit', ({ expected, description }) => {
      if (!expected)
        this.#fail(
          new ProcessingError(
            'STAGE_EXITED',
            `The GStreamer process of ${this.label} ${description}; its media stopped.`,
          ),
        );
    });
  }

  /** Starts the GStreamer process and waits until it reads requests. */
  static async launch(options: ProcessingStageOptions): Promise<ProcessingStage> {
    const process = new GstStageProcess(options);
    const stage = new ProcessingStage(process, options);
    try {
      await process.ready();
    } catch (error) {
      await stage.close();
      throw error;
    }
    return stage;
  }

  get pid(): number | undefined {
    return this.#process.pid;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Cumulative CPU seconds of the stage's process. */
  cpuSeconds(): Promise<number> {
    return this.#process.cpuSeconds();
  }

  /** Parses a filter command in the stage without starting anything. */
  async check(command: string, allowedFactories: readonly string[]): Promise<CommandCheck> {
    return (await this.#process.request('check', {
      description: command,
      allowed: allowedFactories,
    })) as CommandCheck;
  }

  /**
   * (Re)starts the stage's pipeline: `description` must contain, for every stream, a
   * `udpsrc name=<stream>_in` and/or `udpsink name=<stream>_out` (see codecElements).
   */
  async start(description: string, streams: readonly StageStream[]): Promise<void> {
    this.#closePorts();
    const ports = await this.#openPorts(streams);
    if (this.#closed) return;
    const started = (await this.#process.request('start', {
      description,
      ...this.#streamParams(streams, ports),
    })) as { ports: Record<string, number>; elements: string[] };
    this.#elements = started.elements;
    await this.#connectPorts(streams, ports, started.ports);
    // An RTSP camera's location may carry its password: logs never show it.
    this.#logger.debug('stage started', { description: redactCredentialsIn(description) });
  }

  /**
   * Adds a branch to the running pipeline (a mixer's new input or output); the rest keeps
   * flowing. Resolves with the pads its links took (`sink_3`), to address them later.
   */
  async addBranch(branch: StageBranch): Promise<readonly { from: string; to: string }[]> {
    const ports = await this.#openPorts(branch.streams);
    if (this.#closed) return [];
    try {
      const added = (await this.#process.request('add', {
        name: branch.name,
        description: branch.description,
        links: branch.links,
        ...this.#streamParams(branch.streams, ports),
      })) as { ports: Record<string, number>; pads: { from: string; to: string }[] };
      await this.#connectPorts(branch.streams, ports, added.ports);
      return added.pads;
    } catch (error) {
      for (const stream of branch.streams) this.#closePort(stream.name);
      throw error;
    }
  }

  /** Stops and unlinks a branch, and frees its streams' ports. */
  async removeBranch(name: string, streams: readonly string[]): Promise<void> {
    for (const stream of streams) this.#closePort(stream);
    if (this.#closed) return;
    await this.#process.request('remove', { name });
  }

  /** Sets properties of one pad (e.g. a compositor input's position and size). */
  async setPadProperties(
    element: string,
    pad: string,
    properties: Readonly<Record<string, string | number | boolean>>,
  ): Promise<void> {
    await this.#process.request('set-pad', { element, pad, properties });
  }

  /**
   * Shows `image` (encoded PNG, JPEG, ...) on a gdkpixbufoverlay element at `placement`, keeps
   * the current image when `image` is undefined, and hides the overlay when `placement` is.
   */
  async showOverlay(
    element: string,
    image: Buffer | undefined,
    placement: FramePlacement | undefined,
  ): Promise<void> {
    await this.#process.request('overlay', {
      element,
      image: image?.toString('base64') ?? null,
      placement: placement ?? null,
    });
  }

  /** Draws `image` over every face `detector` finds, one overlay slot per face; none hides. */
  async followFaces(
    detector: string,
    slots: readonly string[],
    image: Buffer | undefined,
    placement: FacePlacement | undefined,
  ): Promise<void> {
    await this.#process.request('follow-faces', {
      detector,
      slots,
      image: image?.toString('base64') ?? null,
      placement: placement ?? null,
    });
  }

  /**
   * Decodes `image` (encoded PNG, JPEG, ...) in the stage without showing it, pipeline or not;
   * rejects with a ProcessingError whose stageCode is BAD_IMAGE when it is not an image.
   */
  async checkImage(image: Buffer): Promise<void> {
    await this.#process.request('check-image', { image: image.toString('base64') });
  }

  /**
   * Runs `analyser` on the frames between `<slot>_sink` and `<slot>_src` (see visionCommand),
   * set up by the first call, whose later calls change its settings; the analyser's events come
   * as `elementmessage` events of `slot`.
   */
  async configureVision(
    slot: string,
    analyser: VisionAnalyser,
    settings: Readonly<Record<string, unknown>>,
  ): Promise<void> {
    await this.#process.request('vision', { element: slot, kind: analyser, settings });
  }

  /** The pipeline's element names, sources first (filter commands' elements among them). */
  get elements(): readonly string[] {
    return this.#elements;
  }

  /** Sends one RTP packet into a stream of the stage. */
  send(stream: string, packet: MediaPacket): void {
    this.#ports.get(stream)?.send(packet);
  }

  /** Makes the stream's encoder send a keyframe now. */
  requestKeyframe(stream: string): void {
    if (this.#closed) return;
    this.#process
      .request('keyframe', { element: encoderName(stream) })
      .catch((error: unknown) => this.#logger.debug('keyframe request failed', { error }));
  }

  /** Sets a property on the first of `elements` that has it; resolves with the value it took. */
  setProperty(
    elements: readonly string[],
    property: string,
    value: string | number | boolean,
  ): Promise<unknown> {
    return this.#process.request('set', { elements, property, value });
  }

  getProperty(elements: readonly string[], property: string): Promise<unknown> {
    return this.#process.request('get', { elements, property });
  }

  /** Stops the pipeline, reaps the process and frees the ports. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.onPacket = undefined;
    this.#closePorts();
    await this.#process.close();
  }

  #closePorts(): void {
    for (const port of this.#ports.values()) port.close();
    this.#ports = new Map();
  }

  #closePort(stream: string): void {
    this.#ports.get(stream)?.close();
    this.#ports.delete(stream);
  }

  async #openPorts(streams: readonly StageStream[]): Promise<Map<string, RtpStreamPort>> {
    const ports = new Map<string, RtpStreamPort>();
    for (const stream of streams) {
      const port = await RtpStreamPort.open();
      ports.set(stream.name, port);
      this.#ports.set(stream.name, port);
    }
    if (this.#closed) for (const stream of streams) this.#closePort(stream.name);
    return ports;
  }

  #streamParams(streams: readonly StageStream[], ports: ReadonlyMap<string, RtpStreamPort>) {
    return {
      ports: Object.fromEntries([...ports].map(([name, port]) => [name, port.localPort])),
      watchKeyframeRequests: streams
        .filter((stream) => stream.output?.mimeType.startsWith('video/') ?? true)
        .map((stream) => stream.name),
    };
  }

  async #connectPorts(
    streams: readonly StageStream[],
    ports: ReadonlyMap<string, RtpStreamPort>,
    stagePorts: Readonly<Record<string, number>>,
  ): Promise<void> {
    for (const stream of streams) {
      const port = ports.get(stream.name);
      const stagePort = stagePorts[stream.name];
      if (port === undefined || stagePort === undefined) continue;
      await port.connect(stagePort);
      const output = stream.output;
      if (output) port.onPacket(output, (packet) => this.onPacket?.(stream.name, packet));
    }
  }

  #onStageEvent(event: StageEvent): void {
    switch (event.event) {
      case 'keyframe-needed':
        this.emit('keyframeneeded', event.stream);
        break;
      case 'eos':
        this.emit('endofstream');
        break;
      case 'element-message':
        this.emit('elementmessage', event.element, event.structure);
        break;
      case 'error':
        this.#fail(
          new ProcessingError(
            'STAGE_EXITED',
            `GStreamer stopped ${this.label}: ${event.message}${event.element ? ` (element ${event.element})` : ''}.`,
          ),
        );
        break;
      default:
        break;
    }
  }

  #fail(error: ProcessingError): void {
    if (this.#failed || this.#closed) return;
    this.#failed = true;
    this.#logger.warn('processing stage failed', { error: error.message });
    this.emit('failed', error);
    void this.close();
  }
}

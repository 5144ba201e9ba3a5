import type { MediaCodec, MediaPacket } from '../graph/index.js';
import { TypedEventEmitter } from '../graph/TypedEventEmitter.js';
import type { Logger } from '../logger.js';
import { encoderName } from './codecElements.js';
import { GstStageProcess, type StageEvent } from './GstStageProcess.js';
import { ProcessingError } from './ProcessingError.js';
import { RtpStreamPort } from './RtpStreamPort.js';

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

export interface ProcessingStageEvents {
  [event: string]: unknown[];
  /** The stage's decoder lost its picture on this stream: ask the stream's source for a keyframe. */
  keyframeneeded: [stream: string];
  /** A GStreamer element posted a message (detections of CV filters, levels, ...). */
  elementmessage: [element: string | null, structure: Readonly<Record<string, unknown>>];
  /** The stage stopped working (its process died, or GStreamer reported an error); it is closed. */
  failed: [ProcessingError];
}

export interface ProcessingStageOptions {
  readonly python: string;
  readonly logger: Logger;
  readonly label: string;
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
    const ports = new Map<string, RtpStreamPort>();
    for (const stream of streams) ports.set(stream.name, await RtpStreamPort.open());
    this.#ports = ports;
    if (this.#closed) {
      this.#closePorts();
      return;
    }
    const started = (await this.#process.request('start', {
      description,
      ports: Object.fromEntries([...ports].map(([name, port]) => [name, port.localPort])),
      watchKeyframeRequests: streams
        .filter((stream) => stream.output?.mimeType.startsWith('video/') ?? true)
        .map((stream) => stream.name),
    })) as { ports: Record<string, number>; elements: string[] };
    this.#elements = started.elements;
    for (const stream of streams) {
      const port = ports.get(stream.name) as RtpStreamPort;
      const stagePort = started.ports[stream.name];
      if (stagePort === undefined) continue;
      await port.connect(stagePort);
      const output = stream.output;
      if (output) port.onPacket(output, (packet) => this.onPacket?.(stream.name, packet));
    }
    this.#logger.debug('stage started', { description });
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

  #onStageEvent(event: StageEvent): void {
    switch (event.event) {
      case 'keyframe-needed':
        this.emit('keyframeneeded', event.stream);
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

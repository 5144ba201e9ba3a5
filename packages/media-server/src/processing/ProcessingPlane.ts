import { availableParallelism } from 'node:os';
import type { Logger } from '../logger.js';
import { ProcessingStage } from './ProcessingStage.js';
import { TranscoderRegistry } from './TranscoderRegistry.js';

/** `auto`: a link between codecs that do not match gets a transcoder; `never`: it is refused. */
export type TranscodingMode = 'auto' | 'never';

export interface ProcessingSettings {
  /** Python 3 with PyGObject and GStreamer's introspection data (Debian: python3-gst-1.0). */
  readonly python: string;
  /** GStreamer element factories a GStreamerFilter command may use. */
  readonly allowedFilterElements: readonly string[];
  readonly transcoding: TranscodingMode;
}

/** How often the CPU time of the stages is read for admission control. */
const LOAD_SAMPLE_INTERVAL_MS = 1000;

/**
 * The server's processing plane: starts GStreamer stages, knows which are alive (so they are all
 * reaped when the server closes), measures the CPU they take (admission control counts it), and
 * shares transcoders between the sinks that need the same conversion.
 */
export class ProcessingPlane {
  readonly settings: ProcessingSettings;
  readonly transcoders: TranscoderRegistry;
  readonly #logger: Logger;
  readonly #stages = new Set<ProcessingStage>();
  readonly #lastCpu = new Map<ProcessingStage, number>();
  readonly #cores = availableParallelism();
  readonly #timer: NodeJS.Timeout;
  #sampledAtMs = performance.now();
  #load = 0;

  constructor(settings: ProcessingSettings, logger: Logger) {
    this.settings = settings;
    this.#logger = logger.child({ component: 'processing' });
    this.transcoders = new TranscoderRegistry(this, this.#logger);
    this.#timer = setInterval(() => void this.#sampleLoad(), LOAD_SAMPLE_INTERVAL_MS);
    this.#timer.unref();
  }

  /**
   * Starts one GStreamer stage; it is reaped with the server if its owner does not close it.
   * `inheritedFiles` are open descriptors its process gets as fds 3, 4, … (a checked file).
   */
  async launchStage(
    label: string,
    options: { readonly inheritedFiles?: readonly number[] } = {},
  ): Promise<ProcessingStage> {
    const stage = await ProcessingStage.launch({
      python: this.settings.python,
      logger: this.#logger,
      label,
      ...(options.inheritedFiles ? { inheritedFiles: options.inheritedFiles } : {}),
    });
    this.#stages.add(stage);
    stage.on('failed', () => this.#forget(stage));
    return stage;
  }

  /** Closes a stage and forgets it. */
  async closeStage(stage: ProcessingStage): Promise<void> {
    this.#forget(stage);
    await stage.close();
  }

  /** Live stages (GStreamer processes), for stats and tests. */
  get stages(): readonly ProcessingStage[] {
    return [...this.#stages];
  }

  /** Share (0–1) of the machine's cores the stages used over the last second. */
  get load(): number {
    return this.#load;
  }

  /** Reaps every stage. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    const stages = [...this.#stages];
    this.#stages.clear();
    await Promise.all(stages.map((stage) => stage.close()));
  }

  #forget(stage: ProcessingStage): void {
    this.#stages.delete(stage);
    this.#lastCpu.delete(stage);
  }

  async #sampleLoad(): Promise<void> {
    const now = performance.now();
    const elapsedSeconds = (now - this.#sampledAtMs) / 1000;
    this.#sampledAtMs = now;
    let used = 0;
    for (const stage of [...this.#stages]) {
      const cpu = await stage.cpuSeconds();
      const previous = this.#lastCpu.get(stage);
      if (this.#stages.has(stage)) this.#lastCpu.set(stage, cpu);
      if (previous !== undefined && cpu >= previous) used += cpu - previous;
    }
    this.#load = elapsedSeconds > 0 ? Math.min(1, used / elapsedSeconds / this.#cores) : 0;
  }
}

import { InvalidParamError } from '../errors.js';
import type { ObjectInit } from '../objects/MediaObject.js';
import { FilterNode, ProcessingError, type ProcessingStage } from '../processing/index.js';
import { MediaElement } from './MediaElement.js';
import type { MediaPipeline } from './MediaPipeline.js';

/**
 * A filter that runs in a GStreamer stage of its own, closed with it: GStreamerFilter (the
 * client's command) and the filters whose command the server writes (face overlay, image
 * overlay, code reader). Those start through {@link startStage}, whose `onStarted` sets their
 * elements up again each time the pipeline (re)starts for a new input codec.
 */
export abstract class StageFilter extends MediaElement {
  /**
   * The element's node, typed as the processing plane's filter node (its type is not public).
   * @internal
   */
  readonly filterNode: FilterNode;

  protected constructor(init: ObjectInit, pipeline: MediaPipeline, node: FilterNode) {
    super(init, pipeline, node);
    this.filterNode = node;
  }

  /**
   * Starts the stage of a video filter whose command the server writes; the node calls
   * `onStarted` each time its pipeline runs.
   */
  protected static async startStage(
    init: ObjectInit,
    typeName: string,
    command: string,
    onStarted: () => Promise<void>,
  ): Promise<FilterNode> {
    const stage = await init.context.processing.launchStage(typeName);
    return new FilterNode({
      command,
      mediaType: 'VIDEO',
      stage,
      logger: init.context.logger,
      name: typeName,
      onStarted,
    });
  }

  /**
   * The GStreamer process the filter runs in (its type is not public).
   * @internal
   */
  get stage(): ProcessingStage {
    return this.filterNode.stage;
  }

  /** Whether the pipeline runs (its elements can be changed now). */
  protected get pipelineRuns(): boolean {
    return this.stage.elements.length > 0 && !this.stage.closed;
  }

  /** Releases the node, then closes the filter's GStreamer process (and reaps it). */
  protected override async onRelease(): Promise<void> {
    super.onRelease();
    await this.context.processing.closeStage(this.stage);
  }
}

/** A stage's refusal of an image, as the client should hear it. */
export function imageError(error: unknown, uri: string, typeName: string): unknown {
  if (error instanceof ProcessingError && error.stageCode === 'BAD_IMAGE') {
    return new InvalidParamError(
      `${typeName} uri '${uri}' is not an image GStreamer can read (PNG, JPEG, GIF, SVG, ...): ${error.message}`,
    );
  }
  return error;
}

/** Checks a ratio parameter: finite, within [min, max]. */
export function checkRatio(
  typeName: string,
  name: string,
  value: number,
  min: number,
  max: number,
): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new InvalidParamError(
      `${typeName} '${name}' must be from ${min} to ${max} (a ratio, despite the name: 0.5 is half), got ${value}`,
    );
  }
  return value;
}

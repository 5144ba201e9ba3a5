import { InvalidParamError } from '../errors.js';
import type { ObjectInit } from '../objects/MediaObject.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import { type FilterNode, visionCommand } from '../processing/index.js';
import { FilterType } from './Filter.js';
import type { MediaPipeline } from './MediaPipeline.js';
import { StageFilter } from './StageFilter.js';

const TYPE = 'PlateDetectorFilter';
const SLOT = 'medley_plate';

/**
 * Kurento's PlateDetectorFilter (module `platedetector`): licence plates — bright rectangles of
 * a plate's shape, about `plateWidthPercentage` of the frame wide — are read with Tesseract OCR
 * (Debian's tesseract-ocr) off the video's path; `PlateDetected` carries the text once it was
 * read the same twice in a row, and again only when the text read changes.
 */
export class PlateDetectorFilter extends StageFilter {
  #plateWidth = 0.3;

  private constructor(init: ObjectInit, pipeline: MediaPipeline, node: FilterNode) {
    super(init, pipeline, node);
    this.stage.on('elementmessage', (element, structure) => {
      if (element !== SLOT || structure.name !== 'PlateDetected') return;
      this.emitEvent('PlateDetected', { plate: String(structure.plate ?? '') });
    });
  }

  /** Starts the filter's stage. */
  static async create(init: ObjectInit, pipeline: MediaPipeline): Promise<PlateDetectorFilter> {
    let filter: PlateDetectorFilter | undefined;
    const node = await StageFilter.startStage(init, TYPE, visionCommand(SLOT), async () => {
      if (filter) await filter.#configure();
    });
    filter = new PlateDetectorFilter(init, pipeline, node);
    return filter;
  }

  /** The plates' expected width, a fraction of the frame's (0.3 by default). */
  get plateWidth(): number {
    return this.#plateWidth;
  }

  /**
   * Sets the plates' expected width as a fraction of the frame's width (Kurento's name says
   * percentage; its value is a fraction): plates from half to twice that width are read.
   */
  async setPlateWidthPercentage(fraction: number): Promise<void> {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new InvalidParamError(
        `${TYPE} 'plateWidthPercentage' must be a fraction of the frame's width, above 0 and at most 1 (0.3 is 30 %), got ${fraction}`,
      );
    }
    this.#plateWidth = fraction;
    if (this.pipelineRuns) await this.#configure();
  }

  #configure(): Promise<void> {
    return this.stage.configureVision(SLOT, 'plate', { plateWidthPercentage: this.#plateWidth });
  }
}

const { method } = typeMembers<PlateDetectorFilter>();

/** PlateDetectorFilter as the protocol knows it: module `platedetector`, its kmd (6.18.0). */
export const PlateDetectorFilterType = defineType({
  name: TYPE,
  module: 'platedetector',
  extends: FilterType,
  constructorParams: { mediaPipeline: t.mediaObject<MediaPipeline>('MediaPipeline') },
  create: ({ mediaPipeline }, init) => PlateDetectorFilter.create(init, mediaPipeline),
  methods: {
    setPlateWidthPercentage: method({ plateWidthPercentage: t.float }, (filter, params) =>
      filter.setPlateWidthPercentage(params.plateWidthPercentage),
    ),
  },
  events: ['PlateDetected'],
});

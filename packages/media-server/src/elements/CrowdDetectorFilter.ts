import { InvalidParamError } from '../errors.js';
import type { ObjectInit } from '../objects/MediaObject.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import { type FilterNode, visionCommand } from '../processing/index.js';
import { FilterType } from './Filter.js';
import type { MediaPipeline } from './MediaPipeline.js';
import { StageFilter } from './StageFilter.js';

const TYPE = 'CrowdDetectorFilter';
const SLOT = 'medley_crowd';
const EVENTS = ['CrowdDetectorFluidity', 'CrowdDetectorOccupancy', 'CrowdDetectorDirection'];
const MAX_ROIS = 32;
const MAX_POINTS = 64;
const MIN_PROCESSING_WIDTH = 16;
const MAX_PROCESSING_WIDTH = 1920;

/** Kurento's `RelativePoint`: a point in fractions (0–1) of the frame's width and height. */
export const RelativePoint = t.register('RelativePoint', { x: t.float, y: t.float });

/** Kurento's `RegionOfInterestConfig`: the levels (percentages) and frame counts of a region. */
export const RegionOfInterestConfig = t.register('RegionOfInterestConfig', {
  occupancyLevelMin: t.optional(t.int, 10),
  occupancyLevelMed: t.optional(t.int, 35),
  occupancyLevelMax: t.optional(t.int, 65),
  occupancyNumFramesToEvent: t.optional(t.int, 5),
  fluidityLevelMin: t.optional(t.int, 10),
  fluidityLevelMed: t.optional(t.int, 35),
  fluidityLevelMax: t.optional(t.int, 65),
  fluidityNumFramesToEvent: t.optional(t.int, 5),
  sendOpticalFlowEvent: t.optional(t.boolean, false),
  opticalFlowNumFramesToEvent: t.optional(t.int, 3),
  opticalFlowNumFramesToReset: t.optional(t.int, 3),
  opticalFlowAngleOffset: t.optional(t.int, 0),
});

/** Kurento's `RegionOfInterest`: a polygon of the frame, its id and its configuration. */
export const RegionOfInterest = t.register('RegionOfInterest', {
  points: t.array(RelativePoint),
  regionOfInterestConfig: RegionOfInterestConfig,
  id: t.string,
});

/** A checked region of interest, as the stage's crowd analyser takes it. */
export interface CrowdRegion {
  /** The id its events carry as `roiID`. */
  readonly id: string;
  /** The polygon's corners, in fractions of the frame. */
  readonly points: readonly { readonly x: number; readonly y: number }[];
  /** Its thresholds, Kurento's defaults filled in. */
  readonly config: t.ParsedParams<typeof RegionOfInterestConfig.fields>;
}

/**
 * Kurento's CrowdDetectorFilter (module `crowddetector`): for each region of interest, the
 * occupancy (share of the region that differs from the background learnt over time), the
 * fluidity (share of the occupied part that moves, by optical flow) and, when the region asks
 * for it, the direction of the movement (mean optical-flow angle, degrees counter-clockwise
 * from the right, plus the region's offset). Levels 0–3 follow the region's Min/Med/Max
 * thresholds; a level is raised once it has held for the region's number of frames.
 */
export class CrowdDetectorFilter extends StageFilter {
  readonly #rois: readonly CrowdRegion[];
  #processingWidth = 320;

  private constructor(
    init: ObjectInit,
    pipeline: MediaPipeline,
    node: FilterNode,
    rois: readonly CrowdRegion[],
  ) {
    super(init, pipeline, node);
    this.#rois = rois;
    this.stage.on('elementmessage', (element, structure) => {
      if (element !== SLOT || !EVENTS.includes(String(structure.name))) return;
      const { name, ...fields } = structure;
      this.emitEvent(String(name), fields);
    });
  }

  /** Starts the filter's stage; the regions are checked by the caller. */
  static async create(
    init: ObjectInit,
    pipeline: MediaPipeline,
    rois: readonly CrowdRegion[],
  ): Promise<CrowdDetectorFilter> {
    let filter: CrowdDetectorFilter | undefined;
    const node = await StageFilter.startStage(init, TYPE, visionCommand(SLOT), async () => {
      if (filter) await filter.#configure();
    });
    filter = new CrowdDetectorFilter(init, pipeline, node, rois);
    return filter;
  }

  /** The regions of interest, as created. */
  get rois(): readonly CrowdRegion[] {
    return this.#rois;
  }

  /** Width in pixels the frames are scaled down to before they are analysed (320 by default). */
  get processingWidth(): number {
    return this.#processingWidth;
  }

  /** Changes the analysis width; the background is learnt again. */
  async setProcessingWidth(width: number): Promise<void> {
    if (width < MIN_PROCESSING_WIDTH || width > MAX_PROCESSING_WIDTH) {
      throw new InvalidParamError(
        `${TYPE} 'processingWidth' must be from ${MIN_PROCESSING_WIDTH} to ${MAX_PROCESSING_WIDTH} pixels, got ${width}`,
      );
    }
    this.#processingWidth = width;
    if (this.pipelineRuns) await this.#configure();
  }

  #configure(): Promise<void> {
    return this.stage.configureVision(SLOT, 'crowd', {
      rois: this.#rois,
      processingWidth: this.#processingWidth,
    });
  }
}

function checkRegion(
  roi: t.ParsedParams<typeof RegionOfInterest.fields>,
  index: number,
): CrowdRegion {
  const name = `rois[${index}]`;
  if (roi.id === '') throw new InvalidParamError(`${TYPE} '${name}.id' must not be empty`);
  if (roi.points.length < 3 || roi.points.length > MAX_POINTS) {
    throw new InvalidParamError(
      `${TYPE} '${name}.points' must have from 3 to ${MAX_POINTS} points (a polygon), got ${roi.points.length}`,
    );
  }
  roi.points.forEach((point, at) => {
    if (point.x < 0 || point.x > 1 || point.y < 0 || point.y > 1) {
      throw new InvalidParamError(
        `${TYPE} '${name}.points[${at}]' must be within [0, 1] (fractions of the frame), got ${point.x},${point.y}`,
      );
    }
  });
  const config = roi.regionOfInterestConfig;
  for (const measure of ['occupancy', 'fluidity'] as const) {
    const min = config[`${measure}LevelMin`];
    const med = config[`${measure}LevelMed`];
    const max = config[`${measure}LevelMax`];
    if (!(min >= 0 && min <= med && med <= max && max <= 100)) {
      throw new InvalidParamError(
        `${TYPE} '${name}' ${measure} levels must be percentages with Min <= Med <= Max, got ${min}, ${med}, ${max}`,
      );
    }
  }
  for (const count of [
    'occupancyNumFramesToEvent',
    'fluidityNumFramesToEvent',
    'opticalFlowNumFramesToEvent',
    'opticalFlowNumFramesToReset',
  ] as const) {
    if (config[count] < 0) {
      throw new InvalidParamError(
        `${TYPE} '${name}.${count}' must not be negative, got ${config[count]}`,
      );
    }
  }
  return { id: roi.id, points: roi.points, config };
}

function checkRegions(
  rois: readonly t.ParsedParams<typeof RegionOfInterest.fields>[],
): CrowdRegion[] {
  if (rois.length === 0 || rois.length > MAX_ROIS) {
    throw new InvalidParamError(
      `${TYPE} 'rois' must have from 1 to ${MAX_ROIS} regions, got ${rois.length}`,
    );
  }
  const checked = rois.map(checkRegion);
  if (new Set(checked.map((roi) => roi.id)).size !== checked.length) {
    throw new InvalidParamError(`${TYPE} 'rois' has two regions with the same id`);
  }
  return checked;
}

const { property } = typeMembers<CrowdDetectorFilter>();

/** CrowdDetectorFilter as the protocol knows it: module `crowddetector`, its kmd (6.18.0). */
export const CrowdDetectorFilterType = defineType({
  name: TYPE,
  module: 'crowddetector',
  extends: FilterType,
  constructorParams: {
    mediaPipeline: t.mediaObject<MediaPipeline>('MediaPipeline'),
    rois: t.array(RegionOfInterest),
  },
  create: ({ mediaPipeline, rois }, init) =>
    CrowdDetectorFilter.create(init, mediaPipeline, checkRegions(rois)),
  properties: {
    processingWidth: property(t.int, {
      get: (filter) => filter.processingWidth,
      set: (filter, width) => filter.setProcessingWidth(width),
    }),
  },
  events: EVENTS,
});

import type { ObjectInit } from '../objects/MediaObject.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import type { FacePlacement, FilterNode } from '../processing/index.js';
import { FilterType } from './Filter.js';
import type { MediaPipeline } from './MediaPipeline.js';
import { readOverlayImage } from './OverlayImage.js';
import { checkRatio, imageError, StageFilter } from './StageFilter.js';

const TYPE = 'FaceOverlayFilter';
const DETECTOR = 'medley_faces';
/** Faces drawn over at once (one overlay each). */
export const MAX_FACES = 4;
const SLOTS = Array.from({ length: MAX_FACES }, (_, index) => `medley_face_${index}`);
/**
 * Detection is the costly part: it looks at a 320x240 copy on its own branch, behind a leaky
 * queue of one frame, so it takes the newest frame whenever it is free and never holds the video
 * back; the overlays follow the last faces found on every frame. The tee carries I420 and the
 * detector's branch converts its own copy: with RGB frames shared through the tee, images with
 * an alpha channel came out with red and blue swapped.
 */
const COMMAND =
  'video/x-raw,format=I420 ! tee name=medley_faces_tee ! queue max-size-buffers=1 leaky=downstream ! ' +
  'videoscale ! video/x-raw,width=320,height=240 ! videoconvert ! ' +
  `facedetect name=${DETECTOR} display=false min-size-width=24 min-size-height=24 ! fakesink sync=false async=false ` +
  `medley_faces_tee. ! queue max-size-buffers=2 leaky=downstream ! ${SLOTS.map((slot) => `gdkpixbufoverlay name=${slot} alpha=0`).join(' ! ')}`;
/** Offsets and sizes are ratios of the face: beyond this the image would be nowhere near it. */
const MAX_RATIO = 10;

interface FaceImage {
  readonly image: Buffer;
  readonly placement: FacePlacement;
}

/**
 * Kurento's FaceOverlayFilter (the magic mirror): faces found by OpenCV's Haar detector (the
 * GStreamer `facedetect` element of Debian's gstreamer1.0-opencv) get an image drawn over each
 * of them, placed and sized in ratios of the face, following the faces as they move.
 */
export class FaceOverlayFilter extends StageFilter {
  #overlay: FaceImage | undefined;

  private constructor(init: ObjectInit, pipeline: MediaPipeline, node: FilterNode) {
    super(init, pipeline, node);
  }

  static async create(init: ObjectInit, pipeline: MediaPipeline): Promise<FaceOverlayFilter> {
    let filter: FaceOverlayFilter | undefined;
    const node = await StageFilter.startStage(init, TYPE, COMMAND, async () => {
      if (filter) await filter.#apply(filter.#overlay);
    });
    filter = new FaceOverlayFilter(init, pipeline, node);
    return filter;
  }

  async setOverlayedImage(uri: string, placement: FacePlacement): Promise<void> {
    const image = await readOverlayImage(uri, this.context.media, TYPE, this.logger);
    const overlay = { image, placement };
    if (this.pipelineRuns) {
      try {
        await this.#apply(overlay);
      } catch (error) {
        throw imageError(error, uri, TYPE);
      }
    }
    this.#overlay = overlay;
  }

  async unsetOverlayedImage(): Promise<void> {
    this.#overlay = undefined;
    if (this.pipelineRuns) await this.#apply(undefined);
  }

  #apply(overlay: FaceImage | undefined): Promise<void> {
    return this.stage.followFaces(DETECTOR, SLOTS, overlay?.image, overlay?.placement);
  }
}

const { method } = typeMembers<FaceOverlayFilter>();

export const FaceOverlayFilterType = defineType({
  name: TYPE,
  module: 'filters',
  extends: FilterType,
  constructorParams: { mediaPipeline: t.mediaObject<MediaPipeline>('MediaPipeline') },
  create: ({ mediaPipeline }, init) => FaceOverlayFilter.create(init, mediaPipeline),
  methods: {
    setOverlayedImage: method(
      {
        uri: t.string,
        offsetXPercent: t.float,
        offsetYPercent: t.float,
        widthPercent: t.float,
        heightPercent: t.float,
      },
      (filter, params) =>
        filter.setOverlayedImage(params.uri, {
          offsetX: checkRatio(TYPE, 'offsetXPercent', params.offsetXPercent, -MAX_RATIO, MAX_RATIO),
          offsetY: checkRatio(TYPE, 'offsetYPercent', params.offsetYPercent, -MAX_RATIO, MAX_RATIO),
          width: checkRatio(TYPE, 'widthPercent', params.widthPercent, 0, MAX_RATIO),
          height: checkRatio(TYPE, 'heightPercent', params.heightPercent, 0, MAX_RATIO),
        }),
    ),
    unsetOverlayedImage: method({}, (filter) => filter.unsetOverlayedImage()),
  },
});

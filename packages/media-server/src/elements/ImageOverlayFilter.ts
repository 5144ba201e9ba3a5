import { InvalidParamError } from '../errors.js';
import type { ObjectInit } from '../objects/MediaObject.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import type { FilterNode, FramePlacement } from '../processing/index.js';
import { FilterType } from './Filter.js';
import type { MediaPipeline } from './MediaPipeline.js';
import { readOverlayImage } from './OverlayImage.js';
import { checkRatio, imageError, StageFilter } from './StageFilter.js';

const TYPE = 'ImageOverlayFilter';
/** Images one filter shows at once: one gdkpixbufoverlay each, idle ones pass frames through. */
export const MAX_OVERLAY_IMAGES = 8;
const slotName = (index: number) => `medley_image_${index}`;
const COMMAND = Array.from(
  { length: MAX_OVERLAY_IMAGES },
  (_, index) => `gdkpixbufoverlay name=${slotName(index)} alpha=0`,
).join(' ! ');
const MAX_ID_LENGTH = 256;

interface OverlayImage {
  readonly slot: number;
  readonly image: Buffer;
  readonly placement: FramePlacement;
}

/**
 * Kurento's ImageOverlayFilter: images (from the media root, or allowed http(s) hosts) drawn
 * over the video at a position and size given as fractions of the frame, added and removed by
 * id while the video flows.
 */
export class ImageOverlayFilter extends StageFilter {
  readonly #images = new Map<string, OverlayImage>();

  private constructor(init: ObjectInit, pipeline: MediaPipeline, node: FilterNode) {
    super(init, pipeline, node);
  }

  static async create(init: ObjectInit, pipeline: MediaPipeline): Promise<ImageOverlayFilter> {
    let filter: ImageOverlayFilter | undefined;
    const node = await StageFilter.startStage(init, TYPE, COMMAND, async () => {
      if (filter) for (const image of filter.#images.values()) await filter.#show(image);
    });
    filter = new ImageOverlayFilter(init, pipeline, node);
    return filter;
  }

  /** Shows an image, or replaces the one shown under the same id. */
  async addImage(id: string, uri: string, placement: FramePlacement): Promise<void> {
    checkId(id);
    const existing = this.#images.get(id);
    const slot = existing?.slot ?? this.#freeSlot(id);
    const image = await readOverlayImage(uri, this.context.media, TYPE, this.logger);
    const overlay: OverlayImage = { slot, image, placement };
    if (this.pipelineRuns) {
      try {
        await this.#show(overlay);
      } catch (error) {
        throw imageError(error, uri, TYPE);
      }
    }
    this.#images.set(id, overlay);
  }

  async removeImage(id: string): Promise<void> {
    const overlay = this.#images.get(id);
    if (!overlay) {
      const known = [...this.#images.keys()].map((key) => `'${key}'`).join(', ') || 'none';
      throw new InvalidParamError(`${TYPE} has no image '${id}' (images shown: ${known})`);
    }
    this.#images.delete(id);
    if (this.pipelineRuns)
      await this.stage.showOverlay(slotName(overlay.slot), undefined, undefined);
  }

  #show(overlay: OverlayImage): Promise<void> {
    return this.stage.showOverlay(slotName(overlay.slot), overlay.image, overlay.placement);
  }

  #freeSlot(id: string): number {
    const used = new Set([...this.#images.values()].map((image) => image.slot));
    for (let slot = 0; slot < MAX_OVERLAY_IMAGES; slot++) if (!used.has(slot)) return slot;
    throw new InvalidParamError(
      `${TYPE} shows ${MAX_OVERLAY_IMAGES} images already; remove one before adding '${id}'`,
    );
  }
}

function checkId(id: string): void {
  if (id.trim() === '') throw new InvalidParamError(`${TYPE} image 'id' is empty`);
  if (id.length > MAX_ID_LENGTH)
    throw new InvalidParamError(`${TYPE} image 'id' is longer than ${MAX_ID_LENGTH} characters`);
}

const { method } = typeMembers<ImageOverlayFilter>();

export const ImageOverlayFilterType = defineType({
  name: TYPE,
  module: 'filters',
  extends: FilterType,
  constructorParams: { mediaPipeline: t.mediaObject<MediaPipeline>('MediaPipeline') },
  create: ({ mediaPipeline }, init) => ImageOverlayFilter.create(init, mediaPipeline),
  methods: {
    addImage: method(
      {
        id: t.string,
        uri: t.string,
        offsetXPercent: t.float,
        offsetYPercent: t.float,
        widthPercent: t.float,
        heightPercent: t.float,
        keepAspectRatio: t.boolean,
        center: t.boolean,
      },
      (filter, params) =>
        filter.addImage(params.id, params.uri, {
          x: checkRatio(TYPE, 'offsetXPercent', params.offsetXPercent, 0, 1),
          y: checkRatio(TYPE, 'offsetYPercent', params.offsetYPercent, 0, 1),
          width: checkRatio(TYPE, 'widthPercent', params.widthPercent, 0, 1),
          height: checkRatio(TYPE, 'heightPercent', params.heightPercent, 0, 1),
          keepAspectRatio: params.keepAspectRatio,
          center: params.center,
        }),
    ),
    removeImage: method({ id: t.string }, (filter, { id }) => filter.removeImage(id)),
  },
});

import type { ObjectInit } from '../objects/MediaObject.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import { type FilterNode, visionCommand } from '../processing/index.js';
import { FilterType } from './Filter.js';
import type { MediaPipeline } from './MediaPipeline.js';
import { readOverlayImage } from './OverlayImage.js';
import { imageError, StageFilter } from './StageFilter.js';
import { type PixelRect, WindowParam, windowRect } from './WindowParam.js';

const TYPE = 'ChromaFilter';
const SLOT = 'medley_chroma';

/**
 * Kurento's ChromaFilter (module `chroma`): the key colour is learnt from the window over the
 * first 60 frames of each input (which show the window's outline), then the pixels of that hue
 * and saturation are replaced by the background image, scaled to the frame. Without a
 * background image the video passes unchanged, as in KMS. Images are read as
 * FaceOverlayFilter's are: from the media root, or an allowed http(s) host.
 */
export class ChromaFilter extends StageFilter {
  readonly #window: PixelRect;
  #background: Buffer | undefined;

  private constructor(
    init: ObjectInit,
    pipeline: MediaPipeline,
    node: FilterNode,
    window: PixelRect,
    background: Buffer | undefined,
  ) {
    super(init, pipeline, node);
    this.#window = window;
    this.#background = background;
  }

  /** Reads the background image (if any), then starts the filter's stage. */
  static async create(
    init: ObjectInit,
    pipeline: MediaPipeline,
    window: PixelRect,
    backgroundImage: string | undefined,
  ): Promise<ChromaFilter> {
    const background = backgroundImage
      ? await readOverlayImage(backgroundImage, init.context.media, TYPE, init.context.logger)
      : undefined;
    let filter: ChromaFilter | undefined;
    const node = await StageFilter.startStage(init, TYPE, visionCommand(SLOT), async () => {
      if (filter) await filter.#configure(filter.#background);
    });
    if (background && backgroundImage) {
      try {
        await node.stage.checkImage(background);
      } catch (error) {
        node.release();
        await init.context.processing.closeStage(node.stage);
        throw imageError(error, backgroundImage, TYPE);
      }
    }
    filter = new ChromaFilter(init, pipeline, node, window, background);
    return filter;
  }

  /** The window the key colour is learnt from, in pixels. */
  get window(): PixelRect {
    return this.#window;
  }

  /** Replaces the keyed pixels by the image at `uri` from now on. */
  async setBackground(uri: string): Promise<void> {
    const image = await readOverlayImage(uri, this.context.media, TYPE, this.logger);
    try {
      await this.stage.checkImage(image);
      if (this.pipelineRuns) await this.#configure(image);
    } catch (error) {
      throw imageError(error, uri, TYPE);
    }
    this.#background = image;
  }

  /** Stops replacing the keyed pixels: the video passes unchanged. */
  async unsetBackground(): Promise<void> {
    this.#background = undefined;
    if (this.pipelineRuns) await this.#configure(undefined);
  }

  #configure(background: Buffer | undefined): Promise<void> {
    return this.stage.configureVision(SLOT, 'chroma', {
      window: this.#window,
      background: background?.toString('base64') ?? null,
    });
  }
}

const { method } = typeMembers<ChromaFilter>();

/** ChromaFilter as the protocol knows it: module `chroma`, kms-chroma's kmd (7.3.0). */
export const ChromaFilterType = defineType({
  name: TYPE,
  module: 'chroma',
  extends: FilterType,
  constructorParams: {
    mediaPipeline: t.mediaObject<MediaPipeline>('MediaPipeline'),
    window: WindowParam,
    backgroundImage: t.optional(t.string),
  },
  create: ({ mediaPipeline, window, backgroundImage }, init) =>
    ChromaFilter.create(init, mediaPipeline, windowRect(TYPE, 'window', window), backgroundImage),
  methods: {
    setBackground: method({ uri: t.string }, (filter, { uri }) => filter.setBackground(uri)),
    unsetBackground: method({}, (filter) => filter.unsetBackground()),
  },
});

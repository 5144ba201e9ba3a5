import { InvalidParamError } from '../errors.js';
import type { ObjectInit } from '../objects/MediaObject.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import { type FilterNode, visionCommand } from '../processing/index.js';
import { FilterType } from './Filter.js';
import type { MediaPipeline } from './MediaPipeline.js';
import { readOverlayImage } from './OverlayImage.js';
import { imageError, StageFilter } from './StageFilter.js';
import { checkRect, type PixelRect, WindowParam, windowRect } from './WindowParam.js';

const TYPE = 'PointerDetectorFilter';
const SLOT = 'medley_pointer';
const MAX_WINDOWS = 64;
const MAX_ID_LENGTH = 256;

/**
 * Kurento's `PointerDetectorWindowMediaParam`: a window of the frame in pixels, by id. As in KMS,
 * `upperRightX`/`upperRightY` are the window's top-left corner; `image` is drawn in the window
 * (and `activeImage` instead while the pointer is in it), `imageTransparency` (0–1) of it
 * letting the video through.
 */
export const PointerDetectorWindowMediaParam = t.register('PointerDetectorWindowMediaParam', {
  id: t.string,
  height: t.int,
  width: t.int,
  upperRightX: t.int,
  upperRightY: t.int,
  activeImage: t.optional(t.string),
  imageTransparency: t.optional(t.float),
  image: t.optional(t.string),
});

/** A window a pointer can enter: its id and rectangle in pixels, and the URIs of its images. */
export interface PointerWindow extends PixelRect {
  /** The id its events carry. */
  readonly id: string;
  /** URI of the image drawn in the window. */
  readonly image?: string;
  /** URI of the image drawn instead while the pointer is in the window. */
  readonly activeImage?: string;
  /** How much of the video shows through the images: 0 (none) to 1 (all). */
  readonly imageTransparency: number;
}

/** A window's images as read: sent to the stage once, when the window is added. */
interface WindowImages {
  readonly image?: string;
  readonly activeImage?: string;
}

/**
 * Kurento's PointerDetectorFilter (module `pointerdetector`): a colour, learnt from the
 * calibration region when `trackColorFromCalibrationRegion` is called, is followed in the
 * video (the largest patch of it); its centre entering a window raises `WindowIn` and leaving
 * it `WindowOut`, with the window's id. The video shows the calibration region, the windows
 * (red while the pointer is in) and the pointer.
 */
export class PointerDetectorFilter extends StageFilter {
  readonly #calibrationRegion: PixelRect;
  readonly #windows = new Map<string, PointerWindow>();
  /** Base64 images of the windows that have any, by window id. */
  readonly #images = new Map<string, WindowImages>();
  #calibrated = false;

  private constructor(
    init: ObjectInit,
    pipeline: MediaPipeline,
    node: FilterNode,
    calibrationRegion: PixelRect,
    windows: readonly PointerWindow[],
    images: ReadonlyMap<string, WindowImages>,
  ) {
    super(init, pipeline, node);
    this.#calibrationRegion = calibrationRegion;
    for (const window of windows) this.#windows.set(window.id, window);
    for (const [id, image] of images) this.#images.set(id, image);
    this.stage.on('elementmessage', (element, structure) => {
      if (element !== SLOT) return;
      if (structure.name === 'WindowIn' || structure.name === 'WindowOut') {
        this.emitEvent(structure.name, { windowId: String(structure.windowId ?? '') });
      }
    });
  }

  /** Reads the windows' images, then starts the filter's stage; windows are checked by the caller. */
  static async create(
    init: ObjectInit,
    pipeline: MediaPipeline,
    calibrationRegion: PixelRect,
    windows: readonly PointerWindow[],
  ): Promise<PointerDetectorFilter> {
    const images = new Map<string, WindowImages>();
    for (const window of windows) {
      const read = await readWindowImages(window, init);
      if (read) images.set(window.id, read);
    }
    let filter: PointerDetectorFilter | undefined;
    const node = await StageFilter.startStage(init, TYPE, visionCommand(SLOT), async () => {
      if (filter) {
        await filter.#configure({
          calibrate: filter.#calibrated,
          images: Object.fromEntries(filter.#images),
        });
      }
    });
    filter = new PointerDetectorFilter(init, pipeline, node, calibrationRegion, windows, images);
    return filter;
  }

  /** The windows, in the order they were added. */
  get windows(): readonly PointerWindow[] {
    return [...this.#windows.values()];
  }

  /** Adds a window, or replaces the one with the same id (as KMS does). */
  async addWindow(window: PointerWindow): Promise<void> {
    if (!this.#windows.has(window.id) && this.#windows.size >= MAX_WINDOWS) {
      throw new InvalidParamError(
        `${TYPE} has ${MAX_WINDOWS} windows already; remove one (removeWindow) before adding '${window.id}'`,
      );
    }
    const images = await readWindowImages(window, { context: this.context });
    const windows = new Map(this.#windows).set(window.id, window);
    if (this.pipelineRuns) {
      try {
        await this.#configure({
          windows: [...windows.values()],
          images: { [window.id]: images ?? null },
        });
      } catch (error) {
        throw imageError(error, window.image ?? window.activeImage ?? '', TYPE);
      }
    }
    this.#windows.set(window.id, window);
    if (images) this.#images.set(window.id, images);
    else this.#images.delete(window.id);
  }

  /** Removes the window `windowId`. */
  async removeWindow(windowId: string): Promise<void> {
    this.#images.delete(windowId);
    if (!this.#windows.delete(windowId)) {
      const known = [...this.#windows.keys()].map((id) => `'${id}'`).join(', ') || 'none';
      throw new InvalidParamError(`${TYPE} has no window '${windowId}' (its windows: ${known})`);
    }
    await this.#update({});
  }

  /** Removes every window. */
  async clearWindows(): Promise<void> {
    this.#windows.clear();
    this.#images.clear();
    await this.#update({});
  }

  /** Takes the colour in the calibration region, on the next frame, as the pointer's colour. */
  async trackColorFromCalibrationRegion(): Promise<void> {
    this.#calibrated = true;
    await this.#update({ calibrate: true });
  }

  async #update(settings: Readonly<Record<string, unknown>>): Promise<void> {
    if (this.pipelineRuns) await this.#configure(settings);
  }

  #configure(settings: Readonly<Record<string, unknown>>): Promise<void> {
    return this.stage.configureVision(SLOT, 'pointer', {
      calibrationRegion: this.#calibrationRegion,
      windows: this.windows,
      ...settings,
    });
  }
}

/** The window's images, read from the media root or an allowed host; undefined when it has none. */
async function readWindowImages(
  window: PointerWindow,
  init: Pick<ObjectInit, 'context'>,
): Promise<WindowImages | undefined> {
  if (!window.image && !window.activeImage) return undefined;
  const read = async (uri: string | undefined) =>
    uri
      ? (await readOverlayImage(uri, init.context.media, TYPE, init.context.logger)).toString(
          'base64',
        )
      : undefined;
  return { image: await read(window.image), activeImage: await read(window.activeImage) };
}

/** A PointerDetectorWindowMediaParam as a checked window. */
function pointerWindow(
  name: string,
  window: t.ParsedParams<typeof PointerDetectorWindowMediaParam.fields>,
): PointerWindow {
  if (window.id === '' || window.id.length > MAX_ID_LENGTH) {
    throw new InvalidParamError(
      `${TYPE} '${name}.id' must be a non-empty string of at most ${MAX_ID_LENGTH} characters`,
    );
  }
  const rect = checkRect(TYPE, name, {
    x: window.upperRightX,
    y: window.upperRightY,
    width: window.width,
    height: window.height,
  });
  const imageTransparency = window.imageTransparency ?? 0;
  if (!(imageTransparency >= 0 && imageTransparency <= 1)) {
    throw new InvalidParamError(
      `${TYPE} '${name}.imageTransparency' must be from 0 (opaque images) to 1, got ${imageTransparency}`,
    );
  }
  return {
    id: window.id,
    ...rect,
    image: window.image || undefined,
    activeImage: window.activeImage || undefined,
    imageTransparency,
  };
}

function pointerWindows(
  windows: readonly t.ParsedParams<typeof PointerDetectorWindowMediaParam.fields>[],
): PointerWindow[] {
  if (windows.length > MAX_WINDOWS) {
    throw new InvalidParamError(
      `${TYPE} takes at most ${MAX_WINDOWS} windows, got ${windows.length}`,
    );
  }
  const checked = windows.map((window, index) => pointerWindow(`windows[${index}]`, window));
  const ids = new Set(checked.map((window) => window.id));
  if (ids.size !== checked.length) {
    throw new InvalidParamError(`${TYPE} 'windows' has two windows with the same id`);
  }
  return checked;
}

const { method } = typeMembers<PointerDetectorFilter>();

/** PointerDetectorFilter as the protocol knows it: module `pointerdetector`, its kmd (6.18.0). */
export const PointerDetectorFilterType = defineType({
  name: TYPE,
  module: 'pointerdetector',
  extends: FilterType,
  constructorParams: {
    mediaPipeline: t.mediaObject<MediaPipeline>('MediaPipeline'),
    calibrationRegion: WindowParam,
    windows: t.optional(t.array(PointerDetectorWindowMediaParam), []),
  },
  create: ({ mediaPipeline, calibrationRegion, windows }, init) =>
    PointerDetectorFilter.create(
      init,
      mediaPipeline,
      windowRect(TYPE, 'calibrationRegion', calibrationRegion),
      pointerWindows(windows),
    ),
  methods: {
    addWindow: method({ window: PointerDetectorWindowMediaParam }, (filter, { window }) =>
      filter.addWindow(pointerWindow('window', window)),
    ),
    removeWindow: method({ windowId: t.string }, (filter, { windowId }) =>
      filter.removeWindow(windowId),
    ),
    clearWindows: method({}, (filter) => filter.clearWindows()),
    trackColorFromCalibrationRegion: method({}, (filter) =>
      filter.trackColorFromCalibrationRegion(),
    ),
  },
  events: ['WindowIn', 'WindowOut'],
});

import type { ObjectInit } from '../objects/MediaObject.js';
import { defineType } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import type { FilterNode } from '../processing/index.js';
import { FilterType } from './Filter.js';
import type { MediaPipeline } from './MediaPipeline.js';
import { StageFilter } from './StageFilter.js';

const READER = 'medley_zbar';
/** zbar reads grey pictures; the video passes on unchanged. */
const COMMAND = `tee name=medley_zbar_tee ! queue max-size-buffers=1 leaky=downstream ! videoconvert ! zbar name=${READER} cache=true message=true attach-frame=false ! fakesink sync=false async=false medley_zbar_tee. ! queue max-size-buffers=2 leaky=downstream`;

/**
 * Kurento's ZBarFilter: reads QR codes and barcodes in the video (GStreamer's zbar element) and
 * raises `CodeFound` with the symbology (`QR-Code`, `EAN-13`, ...) and the value, once each time
 * the value read changes, as KMS does. The video passes through unchanged.
 */
export class ZBarFilter extends StageFilter {
  #lastCode: string | undefined;

  private constructor(init: ObjectInit, pipeline: MediaPipeline, node: FilterNode) {
    super(init, pipeline, node);
    this.stage.on('elementmessage', (element, structure) => {
      if (element !== READER || structure.name !== 'barcode') return;
      this.#found(String(structure.type ?? ''), String(structure.symbol ?? ''));
    });
  }

  static async create(init: ObjectInit, pipeline: MediaPipeline): Promise<ZBarFilter> {
    const node = await StageFilter.startStage(init, 'ZBarFilter', COMMAND, async () => {});
    return new ZBarFilter(init, pipeline, node);
  }

  #found(codeType: string, value: string): void {
    const code = `${codeType}\u0000${value}`;
    if (code === this.#lastCode) return;
    this.#lastCode = code;
    this.emitEvent('CodeFound', { codeType, value });
  }
}

export const ZBarFilterType = defineType({
  name: 'ZBarFilter',
  module: 'filters',
  extends: FilterType,
  constructorParams: { mediaPipeline: t.mediaObject<MediaPipeline>('MediaPipeline') },
  create: ({ mediaPipeline }, init) => ZBarFilter.create(init, mediaPipeline),
  events: ['CodeFound'],
});

import { InvalidParamError } from '../errors.js';
import type { MediaNode } from '../graph/index.js';
import type { ObjectInit } from '../objects/MediaObject.js';
import { defineType } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import { CompositeMixer, CompositePortNode, type CompositeSettings } from '../processing/index.js';
import { Hub, HubType } from './Hub.js';
import type { HubPort } from './HubPort.js';
import type { MediaPipeline } from './MediaPipeline.js';

/** Bounds of the mixed picture: a frame any browser decodes, at a rate a live call uses. */
const MIN_SIDE = 16;
const MAX_SIDE = 3840;
const MAX_FRAMERATE = 60;

/**
 * Kurento's Composite (an MCU): the video of every port laid out in a grid in one picture that
 * every port sends out, and for every port a mix of the others' audio. The mix runs in a
 * GStreamer stage that exists only while ports send media.
 */
export class Composite extends Hub {
  readonly mixer: CompositeMixer;

  constructor(init: ObjectInit, pipeline: MediaPipeline, settings: CompositeSettings) {
    super(init, pipeline);
    this.mixer = new CompositeMixer(
      init.context.processing,
      settings,
      init.context.logger,
      this.id.slice(0, 8),
    );
  }

  override createPortNode(): MediaNode {
    return new CompositePortNode(this.mixer);
  }

  override describeGraph(): string {
    const lines = [`digraph "${this.id}" {`, '  "mix" [label="Composite grid and audio mixes"];'];
    for (const port of this.ports) {
      lines.push(`  "${port.id}" [label="HubPort"];`);
      lines.push(`  "${port.id}" -> "mix";`, `  "mix" -> "${port.id}";`);
    }
    lines.push('}');
    return lines.join('\n');
  }

  protected override onPortAdded(port: HubPort): void {
    this.mixer.addPort(port.node as CompositePortNode);
  }

  protected override onPortRemoved(port: HubPort): void {
    this.mixer.removePort(port.node as CompositePortNode);
  }

  protected override async onRelease(): Promise<void> {
    await this.mixer.close();
  }
}

function checkSettings({ width, height, framerate }: CompositeSettings): CompositeSettings {
  for (const [name, value] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (value < MIN_SIDE || value > MAX_SIDE || value % 2 !== 0) {
      throw new InvalidParamError(
        `Composite '${name}' must be an even number of pixels from ${MIN_SIDE} to ${MAX_SIDE}, got ${value}`,
      );
    }
  }
  if (framerate < 1 || framerate > MAX_FRAMERATE) {
    throw new InvalidParamError(
      `Composite 'framerate' must be 1 to ${MAX_FRAMERATE} frames per second, got ${framerate}`,
    );
  }
  return { width, height, framerate };
}

export const CompositeType = defineType({
  name: 'Composite',
  module: 'elements',
  extends: HubType,
  constructorParams: {
    mediaPipeline: t.mediaObject<MediaPipeline>('MediaPipeline'),
    width: t.optional(t.int, 800),
    height: t.optional(t.int, 600),
    framerate: t.optional(t.int, 15),
  },
  create: ({ mediaPipeline, width, height, framerate }, init) =>
    new Composite(init, mediaPipeline, checkSettings({ width, height, framerate })),
});

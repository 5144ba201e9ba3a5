import { InvalidParamError } from '../errors.js';
import { HubPortNode, type MediaNode } from '../graph/index.js';
import { GstreamerDotDetails } from '../objects/complexTypes.js';
import { MediaObject, MediaObjectType, type ObjectInit } from '../objects/MediaObject.js';
import { defineType, typeMembers } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import type { HubPort } from './HubPort.js';
import type { MediaPipeline } from './MediaPipeline.js';

/**
 * Kurento's Hub: routes media between the HubPorts created on it. Elements join a hub by
 * connecting to a port (media in) and from it (media out); each hub type decides which port's
 * input every port sends out.
 */
export abstract class Hub extends MediaObject {
  readonly #ports = new Set<HubPort>();

  protected constructor(init: ObjectInit, pipeline: MediaPipeline) {
    super(init, pipeline);
  }

  /** The ports created on this hub and not released, in creation order. */
  get ports(): readonly HubPort[] {
    return [...this.#ports];
  }

  /** The graph node of a new port: by default one that the hub routes to other ports. */
  createPortNode(): MediaNode {
    return new HubPortNode();
  }

  /** Called by a HubPort as it is created on this hub. */
  addPort(port: HubPort): void {
    this.#ports.add(port);
    this.onPortAdded(port);
  }

  /** Called by a HubPort as it is released. */
  removePort(port: HubPort): void {
    if (!this.#ports.delete(port)) return;
    this.onPortRemoved(port);
  }

  /** The hub's routing in Graphviz DOT: one node per port, one edge per route. */
  describeGraph(): string {
    const lines = [`digraph "${this.id}" {`];
    for (const port of this.#ports) {
      lines.push(`  "${port.id}" [label="HubPort"];`);
      const routed = port.node instanceof HubPortNode ? port.node.input : undefined;
      const input = [...this.#ports].find((candidate) => candidate.node === routed);
      if (input) lines.push(`  "${input.id}" -> "${port.id}";`);
    }
    lines.push('}');
    return lines.join('\n');
  }

  /** @throws InvalidParamError when `port` belongs to another hub (or was released). */
  protected assertOwnPort(port: HubPort, parameter: string): void {
    if (!this.#ports.has(port)) {
      throw new InvalidParamError(
        `Parameter '${parameter}': HubPort '${port.id}' is not a port of ${this.type.name} '${this.id}'; create the port with this hub`,
      );
    }
  }

  /** A port was created on the hub: route it as the hub's policy says. */
  protected abstract onPortAdded(port: HubPort): void;
  /** A port was released (its routes are already gone from the graph). */
  protected abstract onPortRemoved(port: HubPort): void;
}

const { method } = typeMembers<Hub>();

/** The type table of Hub (abstract): getGstreamerDot describes its routes between ports. */
export const HubType = defineType<Hub>({
  name: 'Hub',
  module: 'core',
  extends: MediaObjectType,
  methods: {
    getGstreamerDot: method(
      { details: t.optional(GstreamerDotDetails) },
      (hub) => hub.describeGraph(),
      'String',
    ),
    dumpGstreamerDot: method({ details: t.optional(GstreamerDotDetails) }, () => undefined),
  },
});

import { HubPortNode, MediaGraphError } from '../graph/index.js';
import type { ObjectInit } from '../objects/MediaObject.js';
import { defineType } from '../objects/ObjectType.js';
import * as t from '../objects/valueTypes.js';
import type { Hub } from './Hub.js';
import { MediaElement, MediaElementType } from './MediaElement.js';

/**
 * Kurento's HubPort: a MediaElement through which elements join a hub. `element.connect(port)`
 * feeds the hub; `port.connect(element)` takes what the hub routes to this port. Its parent is
 * its hub, which releases it with itself.
 */
export class HubPort extends MediaElement {
  /** The hub the port was created on, which is also its parent. */
  readonly hub: Hub;

  constructor(init: ObjectInit, hub: Hub) {
    super(init, hub, hub.createPortNode());
    this.hub = hub;
    hub.addPort(this);
  }

  /** The port's node on a hub that routes ports to ports (Dispatcher, DispatcherOneToMany). */
  get routingNode(): HubPortNode {
    if (!(this.node instanceof HubPortNode)) {
      throw new MediaGraphError(
        'NODE_RELEASED',
        `HubPort '${this.id}' belongs to a ${this.hub.type.name}, which mixes its ports instead of routing them`,
      );
    }
    return this.node;
  }

  protected override onRelease(): void | Promise<void> {
    // Releasing the node first drops every route through it, then the hub forgets the port.
    const released = super.onRelease();
    this.hub.removePort(this);
    return released;
  }
}

/** The type table of HubPort: created with its `hub`, it adds no member to MediaElement's. */
export const HubPortType = defineType({
  name: 'HubPort',
  module: 'core',
  extends: MediaElementType,
  constructorParams: { hub: t.mediaObject<Hub>('Hub') },
  create: ({ hub }, init) => new HubPort(init, hub),
});

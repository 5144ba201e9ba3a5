import { WebRtcEndpoint } from '../elements/WebRtcEndpoint.js';
import type { MediaObject } from '../objects/MediaObject.js';
import type { ObjectRegistry } from '../objects/ObjectRegistry.js';
import {
  addRtpTraffic,
  emptyRtpTrafficByKind,
  type RtpTrafficByKind,
  type WebRtcTransport,
} from '../transport/index.js';

/**
 * The RTP traffic of every WebRTC transport the server has had, read when scraped: the live
 * transports' own running totals plus the last totals of the released ones, so the sums never
 * drop when an endpoint goes away. A released endpoint's transport is read once more when it
 * has closed (packets may still arrive between release and close), then forgotten.
 */
export class RtpTrafficTotals {
  readonly #live = new Set<WebRtcTransport>();
  readonly #released = emptyRtpTrafficByKind();
  readonly #stopListening: () => void;

  constructor(objects: ObjectRegistry) {
    for (const object of objects.all()) this.#adopt(object);
    this.#stopListening = objects.listen({
      created: (object) => this.#adopt(object),
      destroyed: (object) => this.#retire(object),
    });
  }

  /** The totals now (a new object each call). */
  read(): RtpTrafficByKind {
    const totals = emptyRtpTrafficByKind();
    addRtpTraffic(totals, this.#released);
    for (const transport of this.#live) transport.addTrafficTo(totals);
    return totals;
  }

  close(): void {
    this.#stopListening();
  }

  #adopt(object: MediaObject): void {
    if (object instanceof WebRtcEndpoint) this.#live.add(object.transport);
  }

  #retire(object: MediaObject): void {
    if (!(object instanceof WebRtcEndpoint)) return;
    const transport = object.transport;
    const keepLastTotals = () => {
      if (!this.#live.delete(transport)) return;
      transport.addTrafficTo(this.#released);
    };
    if (transport.closed) keepLastTotals();
    else transport.once('closed', keepLastTotals);
  }
}

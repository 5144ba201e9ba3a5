import { randomUUID } from 'node:crypto';
import { KurentoError } from '../errors.js';
import type { MediaObject, MediaObjectEvent } from '../objects/MediaObject.js';
import { toWireValue } from '../objects/wireValues.js';
import { currentEventName } from './eventNames.js';
import type { JsonRpcNotification } from './jsonRpc.js';
import { ResponseCache } from './ResponseCache.js';

/** Where a session's events go: the WebSocket connection that last used the session. */
export interface NotificationSink {
  notify(notification: JsonRpcNotification): void;
}

/** Events of one object under one name, delivered once however many subscriptions ask for them. */
interface Delivery {
  readonly object: MediaObject;
  readonly subscriptionIds: Set<string>;
  readonly stop: () => void;
}

/**
 * A Kurento session: the id a client sends with every request. It outlives its WebSocket, so a
 * client that reconnects and sends `connect {sessionId}` finds its objects and subscriptions.
 */
export class Session {
  readonly id: string;
  readonly responses = new ResponseCache();
  /** Objects this session created, described or referenced; they live while a session holds them. */
  readonly objects = new Set<MediaObject>();
  sink: NotificationSink | undefined;
  expiryTimer: NodeJS.Timeout | undefined;
  private readonly deliveries = new Map<string, Delivery>();
  private readonly deliveryBySubscription = new Map<string, string>();

  constructor(id: string = randomUUID()) {
    this.id = id;
  }

  /** Subscribes to `requestedName` (Kurento 7 or 6 name); returns the subscription id. */
  subscribe(object: MediaObject, requestedName: string): string {
    const eventName = currentEventName(requestedName);
    if (!object.type.raisesEvent(eventName)) {
      throw new KurentoError(
        'MEDIA_OBJECT_EVENT_NOT_SUPPORTED',
        `Event '${requestedName}' not supported by ${object.type.name}; it raises: ${object.type.events.join(', ')}`,
      );
    }
    const key = `${object.id}\n${requestedName}`;
    let delivery = this.deliveries.get(key);
    if (!delivery) {
      const stop = object.onEvent(eventName, (event) => this.deliver(object, requestedName, event));
      delivery = { object, subscriptionIds: new Set(), stop };
      this.deliveries.set(key, delivery);
    }
    const subscriptionId = randomUUID();
    delivery.subscriptionIds.add(subscriptionId);
    this.deliveryBySubscription.set(subscriptionId, key);
    return subscriptionId;
  }

  /** Unknown ids are ignored: the object may already be gone, which is not the client's fault. */
  unsubscribe(subscriptionId: string): void {
    const key = this.deliveryBySubscription.get(subscriptionId);
    if (key === undefined) return;
    this.deliveryBySubscription.delete(subscriptionId);
    const delivery = this.deliveries.get(key);
    if (!delivery) return;
    delivery.subscriptionIds.delete(subscriptionId);
    if (delivery.subscriptionIds.size === 0) {
      delivery.stop();
      this.deliveries.delete(key);
    }
  }

  get subscriptionCount(): number {
    return this.deliveryBySubscription.size;
  }

  /** Drops everything that points at a released object. */
  forget(object: MediaObject): void {
    this.objects.delete(object);
    for (const [key, delivery] of this.deliveries) {
      if (delivery.object !== object) continue;
      delivery.stop();
      for (const subscriptionId of delivery.subscriptionIds) {
        this.deliveryBySubscription.delete(subscriptionId);
      }
      this.deliveries.delete(key);
    }
  }

  /** Stops every subscription and forgets cached answers (the session ends). */
  clear(): void {
    for (const delivery of this.deliveries.values()) delivery.stop();
    this.deliveries.clear();
    this.deliveryBySubscription.clear();
    this.responses.clear();
    this.objects.clear();
  }

  private deliver(object: MediaObject, requestedName: string, event: MediaObjectEvent): void {
    const sink = this.sink;
    if (!sink) return;
    // Error events carry their own `type` (the error kind); the others carry the event name.
    const data =
      event.data.type === event.type ? { ...event.data, type: requestedName } : event.data;
    sink.notify({
      jsonrpc: '2.0',
      method: 'onEvent',
      params: { value: { type: requestedName, object: object.id, data: toWireValue(data) } },
    });
  }
}

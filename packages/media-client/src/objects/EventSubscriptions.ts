import type { EventHandler } from '../model/api.js';
import type { JsonRpcParams } from '../rpc/messages.js';

type AnyHandler = EventHandler<never>;

/** The server calls the client makes for subscriptions. */
export interface SubscriptionRequests {
  subscribe(objectId: string, event: string): Promise<string>;
  unsubscribe(objectId: string, subscriptionId: string): Promise<void>;
}

interface Subscription {
  readonly objectId: string;
  readonly event: string;
  /** Listener → whether it is removed after its first call. */
  readonly handlers: Map<AnyHandler, { once: boolean }>;
  /** The server's id while subscribed there. */
  serverId: string | undefined;
  /** Subscribe/unsubscribe steps run one after the other, so they never race. */
  work: Promise<void>;
}

/**
 * The event listeners of every object, keyed by object id and event name. The first listener of
 * an event subscribes on the server, the last one removed unsubscribes. Keyed by id rather than
 * held per object so that two handles on one object share one server subscription.
 */
export class EventSubscriptions {
  readonly #byObject = new Map<string, Map<string, Subscription>>();

  constructor(
    private readonly requests: SubscriptionRequests,
    private readonly onListenerError: (error: unknown) => void,
  ) {}

  async add(objectId: string, event: string, handler: AnyHandler, options: { once: boolean }) {
    const subscription = this.#get(objectId, event, true);
    subscription.handlers.set(handler, options);
    try {
      await this.#reconcile(subscription);
    } catch (error) {
      subscription.handlers.delete(handler);
      this.#dropIfUnused(subscription);
      throw error;
    }
  }

  async remove(objectId: string, event: string, handler: AnyHandler): Promise<void> {
    const subscription = this.#get(objectId, event, false);
    if (!subscription?.handlers.delete(handler)) return;
    await this.#reconcile(subscription);
  }

  /** Delivers an `onEvent` notification to the listeners of its object and event. */
  dispatch(objectId: string, event: string, data: unknown): void {
    const subscription = this.#get(objectId, event, false);
    if (!subscription) return;
    for (const [handler, { once }] of [...subscription.handlers]) {
      if (once) {
        subscription.handlers.delete(handler);
        this.#reconcile(subscription).catch(this.onListenerError);
      }
      try {
        (handler as EventHandler<unknown>)(data);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  /** Drops the listeners of a released object and, for a pipeline, of its elements. */
  forget(objectId: string): void {
    for (const id of [...this.#byObject.keys()]) {
      if (id === objectId || id.startsWith(`${objectId}/`)) this.#byObject.delete(id);
    }
  }

  /** Drops everything: the server lost our session, so it holds none of our subscriptions. */
  clear(): void {
    this.#byObject.clear();
  }

  /**
   * Renews every server subscription on a resumed session, as one transaction of
   * `unsubscribe(old)` + `subscribe` pairs: whether or not the server kept the old subscriptions
   * across the reconnect, exactly one of each remains, and no event falls between the two.
   */
  async renew(sendTransaction: (operations: JsonRpcParams[]) => Promise<unknown[]>): Promise<void> {
    const active = [...this.#byObject.values()]
      .flatMap((events) => [...events.values()])
      .filter((subscription) => subscription.serverId !== undefined);
    if (active.length === 0) return;
    const operations = active.flatMap((subscription, index) => [
      operation(2 * index, 'unsubscribe', {
        object: subscription.objectId,
        subscription: subscription.serverId,
      }),
      operation(2 * index + 1, 'subscribe', {
        object: subscription.objectId,
        type: subscription.event,
      }),
    ]);
    const responses = await sendTransaction(operations);
    active.forEach((subscription, index) => {
      const response = responses[2 * index + 1] as { result?: { value?: unknown } } | undefined;
      const serverId = response?.result?.value;
      subscription.serverId = typeof serverId === 'string' ? serverId : undefined;
      // A server that stops a transaction at its first failure may not have run this pair:
      // subscribe again on its own, once the connection is open (not awaited: that would wait
      // for the end of the handshake this runs in).
      if (subscription.serverId === undefined) {
        this.#reconcile(subscription).catch(this.onListenerError);
      }
    });
  }

  #get(objectId: string, event: string, create: true): Subscription;
  #get(objectId: string, event: string, create: false): Subscription | undefined;
  #get(objectId: string, event: string, create: boolean): Subscription | undefined {
    let events = this.#byObject.get(objectId);
    let subscription = events?.get(event);
    if (subscription || !create) return subscription;
    if (!events) {
      events = new Map();
      this.#byObject.set(objectId, events);
    }
    subscription = {
      objectId,
      event,
      handlers: new Map(),
      serverId: undefined,
      work: Promise.resolve(),
    };
    events.set(event, subscription);
    return subscription;
  }

  #reconcile(subscription: Subscription): Promise<void> {
    const step = subscription.work.then(() => this.#sync(subscription));
    subscription.work = step.catch(() => {});
    return step;
  }

  async #sync(subscription: Subscription): Promise<void> {
    const wanted = subscription.handlers.size > 0;
    if (wanted && subscription.serverId === undefined) {
      subscription.serverId = await this.requests.subscribe(
        subscription.objectId,
        subscription.event,
      );
    } else if (!wanted && subscription.serverId !== undefined) {
      const serverId = subscription.serverId;
      subscription.serverId = undefined;
      this.#dropIfUnused(subscription);
      await this.requests.unsubscribe(subscription.objectId, serverId);
    } else {
      this.#dropIfUnused(subscription);
    }
  }

  #dropIfUnused(subscription: Subscription): void {
    if (subscription.handlers.size > 0 || subscription.serverId !== undefined) return;
    const events = this.#byObject.get(subscription.objectId);
    if (events?.get(subscription.event) !== subscription) return;
    events.delete(subscription.event);
    if (events.size === 0) this.#byObject.delete(subscription.objectId);
  }
}

function operation(id: number, method: string, params: JsonRpcParams): JsonRpcParams {
  return { jsonrpc: '2.0', id, method, params };
}

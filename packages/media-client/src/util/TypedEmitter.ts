/**
 * A minimal event emitter typed by an event map, for Node and browsers alike (Node's `events`
 * module is not available in browsers without a polyfill).
 */
export class TypedEmitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  on<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): this {
    let listeners = this.#listeners.get(event);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(event, listeners);
    }
    listeners.add(listener);
    return this;
  }

  once<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): this {
    const wrapper = (payload: Events[E]) => {
      this.off(event, wrapper);
      listener(payload);
    };
    return this.on(event, wrapper);
  }

  off<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): this {
    this.#listeners.get(event)?.delete(listener);
    return this;
  }

  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  protected emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      (listener as (payload: Events[E]) => void)(payload);
    }
  }
}

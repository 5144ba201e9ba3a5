/**
 * A minimal event emitter typed by an event map, for Node and browsers alike (Node's `events`
 * module is not available in browsers without a polyfill).
 */
export class TypedEmitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<(payload: never) => void>>();

  /** Calls `listener` with the payload of every later `event`. Returns this, for chaining. */
  on<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): this {
    let listeners = this.#listeners.get(event);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(event, listeners);
    }
    listeners.add(listener);
    return this;
  }

  /** Like `on`, for the next `event` only. */
  once<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): this {
    const wrapper = (payload: Events[E]) => {
      this.off(event, wrapper);
      listener(payload);
    };
    return this.on(event, wrapper);
  }

  /** Removes a listener added with `on` (a `once` listener can only be removed by firing). */
  off<E extends keyof Events>(event: E, listener: (payload: Events[E]) => void): this {
    this.#listeners.get(event)?.delete(listener);
    return this;
  }

  /** How many listeners `event` has. */
  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  /**
   * Calls the listeners of `event`, in the order they were added; a throwing one stops the rest.
   */
  protected emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    for (const listener of [...(this.#listeners.get(event) ?? [])]) {
      (listener as (payload: Events[E]) => void)(payload);
    }
  }
}

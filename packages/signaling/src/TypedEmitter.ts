/** The listening half of an emitter: what a class exposes when only it may emit. */
export interface Listenable<Events extends object> {
  /**
   * Calls `listener` with the payload of every later `event`. A listener that throws does not
   * stop the others; its error is rethrown asynchronously (it shows as uncaught).
   */
  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): this;
  /** Like `on`, for the next `event` only. */
  once<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): this;
  /** Removes a listener added with `on` or `once`. */
  off<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): this;
}

type Listener = (payload: never) => void;

/**
 * A small event emitter whose event map is a type, so `on('x', handler)` is checked. Runs in
 * browsers and Node alike (no dependency on Node's `events`). Each event carries one payload.
 */
export class TypedEmitter<Events extends object> implements Listenable<Events> {
  readonly #listeners = new Map<keyof Events, Set<Listener>>();
  /** Links a listener given to once() to its wrapper, so that off(event, listener) works. */
  readonly #onceWrappers = new WeakMap<object, Listener>();

  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): this {
    let listeners = this.#listeners.get(event);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(event, listeners);
    }
    listeners.add(listener);
    return this;
  }

  once<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): this {
    const wrapper = (payload: Events[K]): void => {
      this.off(event, wrapper);
      listener(payload);
    };
    this.#onceWrappers.set(listener, wrapper);
    return this.on(event, wrapper);
  }

  off<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): this {
    const listeners = this.#listeners.get(event);
    if (!listeners) return this;
    listeners.delete(listener);
    const wrapper = this.#onceWrappers.get(listener);
    if (wrapper) listeners.delete(wrapper);
    return this;
  }

  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  removeAllListeners(): void {
    this.#listeners.clear();
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const listeners = this.#listeners.get(event);
    if (!listeners) return;
    for (const listener of [...listeners]) {
      try {
        (listener as (payload: Events[K]) => void)(payload);
      } catch (error) {
        // A throwing listener is a bug in the application: report it as uncaught, where the
        // developer will see it, without breaking delivery to the other listeners or the state
        // machine that emitted the event.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }
}

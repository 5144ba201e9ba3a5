/** A function called with an event's value (`undefined` for events that carry none). */
export type Listener<T> = (payload: T) => void;

/** The arguments of `emit` for an event whose value is `T`: none when `T` is `undefined`. */
export type EmitArgs<T> = [T] extends [undefined] ? [] : [payload: T];

/**
 * A small typed event emitter. `Events` maps each event name to the one value its listeners
 * receive (`undefined` for none), so that `on('icecandidate', handler)` is type-checked.
 *
 * Events named in `retainedEvents` are kept while nobody listens and replayed, in order, to the
 * first listener: ICE candidates gathered before the application subscribed must not be lost.
 */
export class TypedEventEmitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();
  readonly #retained = new Map<keyof Events, unknown[]>();

  constructor(retainedEvents: ReadonlyArray<keyof Events> = []) {
    for (const event of retainedEvents) this.#retained.set(event, []);
  }

  /**
   * Calls `listener` with every later `event`. A listener that throws does not stop the others;
   * its error is rethrown asynchronously (it shows in the console). Returns this, for chaining.
   */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    let listeners = this.#listeners.get(event);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(event, listeners);
    }
    listeners.add(listener as Listener<never>);
    const retained = this.#retained.get(event);
    if (retained?.length) {
      this.#retained.set(event, []);
      for (const payload of retained) this.#call(listener, payload as Events[K]);
    }
    return this;
  }

  /** Like `on`, for the next `event` only. */
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    const wrapper: Listener<Events[K]> = (payload) => {
      this.off(event, wrapper);
      listener(payload);
    };
    return this.on(event, wrapper);
  }

  /** Removes a listener added with `on` (a `once` listener can only be removed by firing). */
  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    this.#listeners.get(event)?.delete(listener as Listener<never>);
    return this;
  }

  /** How many listeners `event` has. */
  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  /** Removes every listener (of one event, or of all) and drops retained events. */
  removeAllListeners(event?: keyof Events): this {
    if (event === undefined) {
      this.#listeners.clear();
      for (const key of this.#retained.keys()) this.#retained.set(key, []);
    } else {
      this.#listeners.delete(event);
    }
    return this;
  }

  /** Calls the listeners of `event` with its value, or retains it when it is retained and unheard. */
  protected emit<K extends keyof Events>(event: K, ...args: EmitArgs<Events[K]>): void {
    const payload = args[0] as Events[K];
    const listeners = this.#listeners.get(event);
    if (!listeners?.size) {
      this.#retained.get(event)?.push(payload);
      return;
    }
    for (const listener of [...listeners]) this.#call(listener as Listener<Events[K]>, payload);
  }

  /** A throwing listener must neither break the emitter nor hide the error. */
  #call<T>(listener: Listener<T>, payload: T): void {
    try {
      listener(payload);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

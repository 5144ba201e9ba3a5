import { EventEmitter } from 'node:events';

/** Maps each event name to the tuple of arguments its listeners receive. */
export type EventMap = { [event: string]: unknown[] };

/**
 * An EventEmitter whose event names and listener arguments are checked by the compiler.
 * Never emits the special 'error' event of EventEmitter, so an unheard event cannot throw.
 */
export class TypedEventEmitter<Events extends EventMap> {
  readonly #emitter = new EventEmitter();

  /** Calls `listener` with the arguments of every later `event`. Returns this, for chaining. */
  on<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Like `on`, for the next `event` only. */
  once<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): this {
    this.#emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Removes a listener added with `on` or `once`. */
  off<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** How many listeners `event` has. */
  listenerCount<E extends keyof Events & string>(event: E): number {
    return this.#emitter.listenerCount(event);
  }

  /** Removes every listener of every event. */
  removeAllListeners(): this {
    this.#emitter.removeAllListeners();
    return this;
  }

  /**
   * Calls the listeners of `event` synchronously, in the order they were added; returns whether
   * it had any. A listener that throws stops the others and throws out of `emit`, as in Node.
   */
  protected emit<E extends keyof Events & string>(event: E, ...args: Events[E]): boolean {
    return this.#emitter.emit(event, ...args);
  }
}

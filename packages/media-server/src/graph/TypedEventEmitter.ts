import { EventEmitter } from 'node:events';

/** Maps each event name to the tuple of arguments its listeners receive. */
export type EventMap = { [event: string]: unknown[] };

/**
 * An EventEmitter whose event names and listener arguments are checked by the compiler.
 * Never emits the special 'error' event of EventEmitter, so an unheard event cannot throw.
 */
export class TypedEventEmitter<Events extends EventMap> {
  readonly #emitter = new EventEmitter();

  on<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  once<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): this {
    this.#emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  listenerCount<E extends keyof Events & string>(event: E): number {
    return this.#emitter.listenerCount(event);
  }

  removeAllListeners(): this {
    this.#emitter.removeAllListeners();
    return this;
  }

  protected emit<E extends keyof Events & string>(event: E, ...args: Events[E]): boolean {
    return this.#emitter.emit(event, ...args);
  }
}

import { SignalingError } from '../errors.js';
import { isRequestAnswer } from '../wire.js';

export interface PendingRequest {
  readonly id: number;
  readonly type: string;
  readonly payload: unknown;
  /** Handed to the socket; false while it waits for a connection. */
  sent: boolean;
}

interface Entry extends PendingRequest {
  resolve(result: unknown): void;
  reject(error: SignalingError): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The requests that wait for an answer. Each settles exactly once: by its answer, by its timeout,
 * or by a connection loss; whatever comes later is ignored.
 */
export class PendingRequests {
  readonly #entries = new Map<number, Entry>();
  #nextId = 1;

  add(
    type: string,
    payload: unknown,
    timeoutMs: number,
  ): { request: PendingRequest; answer: Promise<unknown> } {
    const id = this.#nextId++;
    let entry!: Entry;
    const answer = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#settle(id)?.reject(
          new SignalingError(
            'TIMEOUT',
            `request "${type}" got no answer within ${timeoutMs} ms: the server may be slow or ` +
              'its handler never settles; the server may still process it. Retry, or pass a longer { timeout }.',
          ),
        );
      }, timeoutMs);
      entry = { id, type, payload, sent: false, resolve, reject, timer };
    });
    this.#entries.set(id, entry);
    return { request: entry, answer };
  }

  /** Settles a request with the server's acknowledgement. */
  answer(id: number, acknowledgement: unknown): void {
    const entry = this.#settle(id);
    if (!entry) return;
    if (!isRequestAnswer(acknowledgement)) {
      entry.reject(
        new SignalingError(
          'INVALID_RESPONSE',
          `request "${entry.type}" got a malformed answer: is the server a @medley/signaling server of a compatible version?`,
        ),
      );
    } else if (acknowledgement.ok) {
      entry.resolve(acknowledgement.result);
    } else {
      // The server's message verbatim: for REJECTED it is the application's own words.
      entry.reject(new SignalingError(acknowledgement.error.code, acknowledgement.error.message));
    }
  }

  reject(id: number, error: SignalingError): void {
    this.#settle(id)?.reject(error);
  }

  /** Requests that wait for a connection, oldest first. */
  unsent(): PendingRequest[] {
    return [...this.#entries.values()].filter((entry) => !entry.sent);
  }

  /** Fails the requests already handed to a socket: their answers cannot arrive any more. */
  failSent(error: (type: string) => SignalingError): void {
    for (const entry of [...this.#entries.values()]) {
      if (entry.sent) this.#settle(entry.id)?.reject(error(entry.type));
    }
  }

  failAll(error: (type: string) => SignalingError): void {
    for (const id of [...this.#entries.keys()]) {
      const entry = this.#settle(id);
      entry?.reject(error(entry.type));
    }
  }

  #settle(id: number): Entry | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    this.#entries.delete(id);
    clearTimeout(entry.timer);
    return entry;
  }
}

// One Janus session over its plain HTTP API (REST requests, long-polled events). All subscribers
// of the benchmark share it, one plugin handle each, so a run with hundreds of subscribers keeps
// a single long poll open instead of one per subscriber.
import { JanusBenchError } from './errors.js';

export interface Jsep {
  readonly type: 'offer' | 'answer';
  readonly sdp: string;
  /** false: the SDP holds every candidate, no trickle follows. */
  readonly trickle?: boolean;
}

/** A plugin's answer to a message, sent at once or later as an event. */
export interface PluginResponse {
  readonly data: Readonly<Record<string, unknown>>;
  readonly jsep?: Jsep;
}

interface JanusMessage {
  readonly janus: string;
  readonly transaction?: string;
  readonly sender?: number;
  readonly data?: { readonly id?: number };
  readonly error?: { readonly code: number; readonly reason: string };
  readonly plugindata?: { readonly plugin: string; readonly data: Record<string, unknown> };
  readonly jsep?: Jsep;
}

interface PendingTransaction {
  resolve(response: PluginResponse): void;
  reject(error: Error): void;
}

/** Janus answers an empty long poll after 30 s: wait a little longer before giving up on it. */
const LONG_POLL_TIMEOUT_MS = 40_000;
const REQUEST_TIMEOUT_MS = 15_000;

export class JanusHttpSession {
  readonly #pending = new Map<string, PendingTransaction>();
  readonly #longPoll = new AbortController();
  #nextTransaction = 0;
  #closed = false;

  private constructor(
    readonly baseUrl: string,
    readonly sessionId: number,
  ) {
    void this.#pollEvents();
  }

  static async create(baseUrl: string): Promise<JanusHttpSession> {
    const created = await post(baseUrl, { janus: 'create', transaction: 'create' });
    return new JanusHttpSession(baseUrl, idOf(created, 'create a session'));
  }

  /** Attaches a plugin handle, e.g. `janus.plugin.streaming`; returns its id. */
  async attach(plugin: string): Promise<number> {
    const attached = await this.#request(`${this.baseUrl}/${this.sessionId}`, {
      janus: 'attach',
      plugin,
    });
    return idOf(attached, `attach ${plugin}`);
  }

  /** Sends a message to a handle's plugin and waits for its answer, synchronous or not. */
  async message(handleId: number, body: object, jsep?: Jsep): Promise<PluginResponse> {
    const transaction = this.#transaction();
    const answered = new Promise<PluginResponse>((resolve, reject) => {
      this.#pending.set(transaction, { resolve, reject });
    });
    const reply = await this.#request(
      `${this.baseUrl}/${this.sessionId}/${handleId}`,
      { janus: 'message', body, ...(jsep ? { jsep } : {}) },
      transaction,
    ).catch((error: unknown) => {
      this.#pending.delete(transaction);
      throw error;
    });
    if (reply.janus === 'success') {
      this.#pending.delete(transaction);
      return pluginResponse(reply);
    }
    return answered;
  }

  async detach(handleId: number): Promise<void> {
    await this.#request(`${this.baseUrl}/${this.sessionId}/${handleId}`, { janus: 'detach' });
  }

  /** Destroys the session on the server (its handles with it) and stops polling. */
  async destroy(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#longPoll.abort();
    await this.#request(`${this.baseUrl}/${this.sessionId}`, { janus: 'destroy' }).catch(
      () => undefined,
    );
    for (const pending of this.#pending.values()) {
      pending.reject(new JanusBenchError('JANUS_REQUEST_FAILED', 'The Janus session was closed.'));
    }
    this.#pending.clear();
  }

  async #request(url: string, message: object, transaction = this.#transaction()) {
    const reply = await post(url, { ...message, transaction });
    if (reply.janus === 'error') throw requestError(message, reply);
    return reply;
  }

  #transaction(): string {
    return `t${++this.#nextTransaction}`;
  }

  async #pollEvents(): Promise<void> {
    const url = `${this.baseUrl}/${this.sessionId}?maxev=100`;
    while (!this.#closed) {
      try {
        const response = await fetch(url, {
          signal: AbortSignal.any([
            this.#longPoll.signal,
            AbortSignal.timeout(LONG_POLL_TIMEOUT_MS),
          ]),
        });
        const events = (await response.json()) as JanusMessage | JanusMessage[];
        for (const event of Array.isArray(events) ? events : [events]) this.#dispatch(event);
      } catch {
        if (!this.#closed) await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  #dispatch(event: JanusMessage): void {
    if (event.transaction === undefined) return;
    const pending = this.#pending.get(event.transaction);
    if (!pending) return;
    this.#pending.delete(event.transaction);
    if (event.janus === 'error') {
      pending.reject(requestError({}, event));
      return;
    }
    const response = pluginResponse(event);
    const pluginError = response.data.error;
    if (typeof pluginError === 'string') {
      pending.reject(new JanusBenchError('JANUS_REQUEST_FAILED', `Janus plugin: ${pluginError}`));
      return;
    }
    pending.resolve(response);
  }
}

async function post(url: string, message: object): Promise<JanusMessage> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(message),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return (await response.json()) as JanusMessage;
}

function pluginResponse(message: JanusMessage): PluginResponse {
  return {
    data: message.plugindata?.data ?? {},
    ...(message.jsep ? { jsep: message.jsep } : {}),
  };
}

function idOf(reply: JanusMessage, action: string): number {
  const id = reply.data?.id;
  if (reply.janus !== 'success' || typeof id !== 'number') {
    throw requestError({ janus: action }, reply);
  }
  return id;
}

function requestError(message: object, reply: JanusMessage): JanusBenchError {
  const request = 'janus' in message ? String(message.janus) : 'request';
  const reason = reply.error ? `${reply.error.code} ${reply.error.reason}` : JSON.stringify(reply);
  return new JanusBenchError('JANUS_REQUEST_FAILED', `Janus refused ${request}: ${reason}`);
}

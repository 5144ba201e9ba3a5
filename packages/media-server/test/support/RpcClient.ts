import { WebSocket } from 'ws';

/** A raw Kurento Protocol client for tests: real WebSocket, JSON-RPC frames as the server sees them. */

export interface RpcError {
  code: number;
  message: string;
  data?: { type: string };
}

export interface RpcResponse {
  jsonrpc: '2.0';
  id: string | number | null;
  result?: Record<string, unknown> & { value?: unknown; sessionId?: string };
  error?: RpcError;
}

export interface EventNotification {
  jsonrpc: '2.0';
  method: 'onEvent';
  params: { value: { type: string; object: string; data: Record<string, unknown> } };
}

type Incoming = RpcResponse | EventNotification;

export class RpcFailure extends Error {
  constructor(readonly error: RpcError) {
    super(`${error.code} ${error.data?.type ?? ''}: ${error.message}`);
  }
}

export class RpcClient {
  /** Sent with every request once known (as kurento-client does). */
  sessionId: string | undefined;
  readonly events: EventNotification[] = [];
  /** Every frame received, parsed, in order. */
  readonly received: Incoming[] = [];
  private nextId = 1;
  /** Callers waiting per request id, oldest first (a retry reuses an id on purpose). */
  private readonly pending = new Map<string | number, ((response: RpcResponse) => void)[]>();
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Incoming;
      this.received.push(message);
      if ('method' in message && message.method === 'onEvent') {
        this.events.push(message);
      } else if ('id' in message && message.id !== null) {
        const waiting = this.pending.get(message.id) ?? [];
        const resolve = waiting.shift();
        if (waiting.length === 0) this.pending.delete(message.id);
        resolve?.(message);
      }
      for (const waiter of [...this.waiters]) waiter();
    });
  }

  static open(url: string, options: { sessionId?: string } = {}): Promise<RpcClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => {
        const client = new RpcClient(socket);
        client.sessionId = options.sessionId;
        resolve(client);
      });
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`HTTP ${response.statusCode}`)),
      );
    });
  }

  /** Sends a request with a fresh id (or `id`); resolves with the whole response. */
  request(
    method: string,
    params?: Record<string, unknown>,
    id?: string | number,
  ): Promise<RpcResponse> {
    const requestId = id ?? this.nextId++;
    const withSession =
      this.sessionId && params?.sessionId === undefined
        ? { ...params, sessionId: this.sessionId }
        : params;
    const response = new Promise<RpcResponse>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer to ${method} #${requestId}`)),
        10_000,
      );
      const waiting = this.pending.get(requestId) ?? [];
      waiting.push((answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      this.pending.set(requestId, waiting);
    });
    this.send({
      jsonrpc: '2.0',
      id: requestId,
      method,
      ...(withSession ? { params: withSession } : {}),
    });
    return response.then((answer) => {
      const sessionId = answer.result?.sessionId;
      if (typeof sessionId === 'string') this.sessionId = sessionId;
      return answer;
    });
  }

  /** Like request, but resolves with `result` and rejects with an RpcFailure. */
  async call(
    method: string,
    params?: Record<string, unknown>,
  ): Promise<Record<string, unknown> & { value?: unknown }> {
    const response = await this.request(method, params);
    if (response.error) throw new RpcFailure(response.error);
    return response.result ?? {};
  }

  /** The error of a request that must fail. */
  async failure(method: string, params?: Record<string, unknown>): Promise<RpcError> {
    const response = await this.request(method, params);
    if (!response.error) throw new Error(`${method} succeeded: ${JSON.stringify(response.result)}`);
    return response.error;
  }

  create(type: string, constructorParams: Record<string, unknown> = {}): Promise<string> {
    return this.call('create', { type, constructorParams }).then(
      (result) => result.value as string,
    );
  }

  invoke(
    object: string,
    operation: string,
    operationParams: Record<string, unknown> = {},
  ): Promise<unknown> {
    return this.call('invoke', { object, operation, operationParams }).then(
      (result) => result.value,
    );
  }

  send(message: unknown): void {
    this.socket.send(JSON.stringify(message));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  /** Resolves with the next frame that satisfies `match` (including ones already received after `from`). */
  waitFor<T extends Incoming>(
    match: (message: Incoming) => message is T,
    from?: number,
    timeoutMs?: number,
  ): Promise<T>;
  waitFor(
    match: (message: Incoming) => boolean,
    from?: number,
    timeoutMs?: number,
  ): Promise<Incoming>;
  waitFor(match: (message: Incoming) => boolean, from = 0, timeoutMs = 5000): Promise<Incoming> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.received.slice(from).find(match);
        if (!found) return false;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error('timed out waiting for a message'));
      }, timeoutMs);
      if (!check()) this.waiters.add(check);
    });
  }

  /** The first `type` event (of `object`, if given) among the frames received from index `from`. */
  waitForEvent(type: string, object?: string, from = 0): Promise<EventNotification> {
    return this.waitFor(
      (message): message is EventNotification =>
        'method' in message &&
        message.method === 'onEvent' &&
        message.params.value.type === type &&
        (object === undefined || message.params.value.object === object),
      from,
    );
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }

  /** Drops the TCP connection without a closing handshake, like a network failure. */
  drop(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.terminate();
    });
  }
}

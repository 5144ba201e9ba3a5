import WebSocket from 'ws';

/** What V8 and Node hold, in bytes, as `process.memoryUsage()` reports it. */
export interface HeapUsage {
  readonly rss: number;
  /** What V8 committed for its heap, used or not. */
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

/**
 * A Chrome DevTools Protocol session with a Node process started with `--inspect`: enough to
 * collect its garbage and read its heap from outside, without any hook in the process itself.
 */
export class InspectorSession {
  readonly #socket: WebSocket;
  readonly #pending = new Map<number, (message: InspectorReply) => void>();
  #nextId = 1;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as InspectorReply;
      if (message.id === undefined) return;
      this.#pending.get(message.id)?.(message);
      this.#pending.delete(message.id);
    });
  }

  /** `url` is the ws:// address Node prints after "Debugger listening on". */
  static open(url: string): Promise<InspectorSession> {
    const socket = new WebSocket(url);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new InspectorSession(socket)));
      socket.once('error', reject);
    });
  }

  /** Heap figures after a full garbage collection, so that only live objects are counted. */
  async heapAfterGarbageCollection(): Promise<HeapUsage> {
    await this.#send('HeapProfiler.collectGarbage');
    return this.heapUsage();
  }

  /** Heap figures as they are, garbage not yet collected included. */
  async heapUsage(): Promise<HeapUsage> {
    const reply = await this.#send('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    });
    const value = (reply.result as { result?: { value?: unknown } } | undefined)?.result?.value;
    if (typeof value !== 'string')
      throw new Error(`unexpected inspector reply ${JSON.stringify(reply)}`);
    return JSON.parse(value) as HeapUsage;
  }

  close(): void {
    this.#socket.close();
  }

  #send(method: string, params: Record<string, unknown> = {}): Promise<InspectorReply> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, (reply) =>
        reply.error ? reject(new Error(`${method}: ${reply.error.message}`)) : resolve(reply),
      );
      this.#socket.send(JSON.stringify({ id, method, params }));
    });
  }
}

interface InspectorReply {
  id?: number;
  result?: unknown;
  error?: { message: string };
}

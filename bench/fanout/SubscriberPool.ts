import { ForkedProcess } from './ForkedProcess.js';
import type {
  FromSubscriberProcess,
  SendLog,
  SequenceAnchor,
  SubscriberReport,
  SubscriberRoute,
  ToSubscriberProcess,
} from './ipc.js';
import type { MediaKind } from './rtp.js';

type SubscriberProcess = ForkedProcess<ToSubscriberProcess, FromSubscriberProcess>;

/** Light subscribers spread over a few processes, so that no one process limits the receive side. */
export class SubscriberPool {
  readonly #processes: SubscriberProcess[];
  readonly #processOf = new Map<number, SubscriberProcess>();
  readonly #firstRtpMs = new Map<number, number>();
  readonly #anchors = new Map<number, Partial<Record<MediaKind, SequenceAnchor>>>();
  /** Why a subscriber failed after it opened (e.g. its RTP does not decrypt). */
  readonly #failures = new Map<number, string>();
  #nextId = 0;
  #requests = 0;

  constructor(processCount: number) {
    this.#processes = Array.from({ length: processCount }, () => {
      const child: SubscriberProcess = new ForkedProcess(
        new URL('./subscriber-process.ts', import.meta.url),
      );
      child.onMessage((message) => {
        if (message.type === 'first-rtp') this.#firstRtpMs.set(message.id, message.atMs);
        if (message.type === 'anchor') {
          const anchors = this.#anchors.get(message.id) ?? {};
          anchors[message.anchor.kind] = message.anchor;
          this.#anchors.set(message.id, anchors);
        }
        if (message.type === 'failed') this.#failures.set(message.id, message.message);
      });
      return child;
    });
  }

  get pids(): readonly number[] {
    return this.#processes.map((child) => child.pid);
  }

  /** Opens a subscriber; for WebRTC, resolves with its answer to the server's offer. */
  async open(route: SubscriberRoute): Promise<{ id: number; answer?: string }> {
    const id = this.#nextId++;
    const child = this.#processes[id % this.#processes.length] as SubscriberProcess;
    this.#processOf.set(id, child);
    const outcome = Promise.race([
      child.next('opened', (message) => message.id === id),
      child
        .next('failed', (message) => message.id === id)
        .then((failure) => {
          throw new Error(failure.message);
        }),
    ]);
    child.send({ type: 'open', id, route });
    const opened = await outcome;
    return opened.answer === undefined ? { id } : { id, answer: opened.answer };
  }

  /** When the subscriber's first RTP datagram arrived (process.hrtime ms). */
  async firstRtpMs(id: number, timeoutMs: number): Promise<number> {
    const known = this.#firstRtpMs.get(id);
    if (known !== undefined) return known;
    const child = this.#processOf.get(id);
    if (!child) throw new Error(`no subscriber ${id}`);
    const message = await child
      .next('first-rtp', (first) => first.id === id, timeoutMs)
      .catch(() => {
        throw new Error(`no RTP packet arrived in ${timeoutMs} ms`);
      });
    return message.atMs;
  }

  /** The subscriber's first decrypted packet of each kind (see ReceivedRtp). */
  async anchors(id: number, timeoutMs: number): Promise<Record<MediaKind, SequenceAnchor>> {
    const child = this.#processOf.get(id);
    if (!child) throw new Error(`no subscriber ${id}`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const failure = this.#failures.get(id);
      if (failure !== undefined) throw new Error(failure);
      const { audio, video } = this.#anchors.get(id) ?? {};
      if (audio && video) return { audio, video };
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) {
        const missing = audio ? 'video' : 'audio';
        throw new Error(`no ${missing} packet decrypted in ${timeoutMs} ms`);
      }
      const progress = (message: { id: number }) => message.id === id;
      await Promise.race([
        child.next('anchor', progress, remainingMs),
        child.next('failed', progress, remainingMs),
      ]).catch(() => undefined);
    }
  }

  /** Publisher's sequence number − the subscriber's, per kind: how to match its packets. */
  setSequenceOffsets(id: number, offsets: Record<MediaKind, number>): void {
    this.#processOf.get(id)?.send({ type: 'sequence-offsets', id, offsets });
  }

  close(id: number): void {
    this.#processOf.get(id)?.send({ type: 'close', id });
    this.#processOf.delete(id);
    this.#anchors.delete(id);
    this.#failures.delete(id);
    this.#firstRtpMs.delete(id);
  }

  windowStarts(): void {
    for (const child of this.#processes) child.send({ type: 'window-start' });
  }

  /** The id the next subscriber opened will get: those opened so far are below it. */
  get nextId(): number {
    return this.#nextId;
  }

  /**
   * What every subscriber (or only those opened before id `idsBelow`) received of `sends`, one
   * report per process.
   */
  async report(sends: SendLog, idsBelow?: number): Promise<SubscriberReport[]> {
    const requestId = ++this.#requests;
    return Promise.all(
      this.#processes.map(async (child) => {
        const reply = child.next('report', (message) => message.requestId === requestId);
        child.send({
          type: 'report',
          requestId,
          sends,
          ...(idsBelow === undefined ? {} : { idsBelow }),
        });
        return (await reply).report;
      }),
    );
  }

  stop(): void {
    for (const child of this.#processes) child.kill();
  }
}

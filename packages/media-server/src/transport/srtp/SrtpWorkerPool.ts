import { Worker } from 'node:worker_threads';
import type { OutgoingRtp, SrtpStreamParameters } from './SrtpStreamEncoder.js';
import type { FromSrtpWorker, ToSrtpWorker } from './workerMessages.js';

const RUNNING_FROM_SOURCES = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(
  RUNNING_FROM_SOURCES ? './srtpWorker.ts' : './srtpWorker.js',
  import.meta.url,
);

/**
 * Run from its sources (tests and benches, through tsx), the worker must register tsx itself:
 * Node 20 applies neither the parent's loader hooks nor `--import` to a worker's entry module.
 */
function startWorker(name: string): Worker {
  if (!RUNNING_FROM_SOURCES) return new Worker(WORKER_URL, { name });
  const entry = JSON.stringify(WORKER_URL.href);
  return new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${entry}); });`,
    { eval: true, name },
  );
}

/** Receives one encoded datagram, ready to send. */
export type DatagramHandler = (datagram: Buffer) => void;

/** An outgoing stream whose packets a worker encrypts. */
export interface PooledSrtpStream {
  /** Queues `packet` for encryption; `deliver` gets the datagram back on this thread. */
  encode(packet: OutgoingRtp, payload: Uint8Array, deliver: DatagramHandler): void;
  close(): void;
}

/**
 * Worker threads that encrypt outgoing SRTP, so that fan-out uses every core while sockets, ICE,
 * DTLS and the media graph stay on the main thread. Packets queued during one turn of the main
 * event loop (a source packet fanned out to its subscribers) travel to a worker as one message:
 * the payload bytes are copied once into a transferred buffer, however many subscribers share
 * them, and the encrypted datagrams come back the same way. Streams are spread over the workers
 * round-robin; a stream always stays on its worker, so its packets keep their order.
 */
export class SrtpWorkerPool {
  readonly #channels: WorkerChannel[];
  #nextStream = 1;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`A send worker pool needs at least one worker; got ${size}.`);
    }
    this.#channels = Array.from({ length: size }, (_, index) => new WorkerChannel(index));
  }

  /** The workers, for admission control (their event loops carry media). */
  get workers(): readonly Worker[] {
    return this.#channels.map((channel) => channel.worker);
  }

  openStream(parameters: SrtpStreamParameters): PooledSrtpStream {
    const stream = this.#nextStream++;
    const channel = this.#channels[stream % this.#channels.length] as WorkerChannel;
    channel.post({ type: 'open', stream, parameters });
    let open = true;
    return {
      encode: (packet, payload, deliver) => {
        if (open) channel.enqueue(stream, packet, payload, deliver);
      },
      close: () => {
        if (!open) return;
        open = false;
        channel.post({ type: 'close', stream });
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.#channels.map((channel) => channel.worker.terminate()));
  }
}

/** One worker and the batch being filled for it. */
class WorkerChannel {
  readonly worker: Worker;
  #records: number[] = [];
  #payloads: Uint8Array[] = [];
  #payloadBytes = 0;
  #deliveries: DatagramHandler[] = [];
  #flushScheduled = false;
  #nextBatch = 1;
  readonly #inFlight = new Map<number, DatagramHandler[]>();

  constructor(index: number) {
    this.worker = startWorker(`medley-srtp-${index}`);
    this.worker.unref();
    this.worker.on('message', (message: FromSrtpWorker) => this.#deliver(message));
    this.worker.on('error', (error) => {
      // An encryption bug must not take the server down; the packets of this worker are lost.
      process.emitWarning(`SRTP send worker ${index} failed: ${error.message}`);
    });
  }

  post(message: ToSrtpWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  enqueue(
    stream: number,
    packet: OutgoingRtp,
    payload: Uint8Array,
    deliver: DatagramHandler,
  ): void {
    // Subscribers of one source get the same payload one after another: store it once.
    if (this.#payloads.at(-1) !== payload) {
      this.#payloads.push(payload);
      this.#payloadBytes += payload.length;
    }
    const end = this.#payloadBytes;
    // In RecordField order.
    this.#records.push(
      stream,
      packet.payloadType,
      packet.sequenceNumber,
      packet.timestamp,
      packet.marker ? 1 : 0,
      packet.sentAtMs,
      packet.rolloverCounter,
      end - payload.length,
      end,
    );
    this.#deliveries.push(deliver);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(() => this.#flush());
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    const payloads = new ArrayBuffer(this.#payloadBytes);
    const bytes = new Uint8Array(payloads);
    let offset = 0;
    for (const payload of this.#payloads) {
      bytes.set(payload, offset);
      offset += payload.length;
    }
    const records = Float64Array.from(this.#records);
    const batch = this.#nextBatch++;
    // An idle pool does not keep the process alive; a batch on its way back does.
    if (this.#inFlight.size === 0) this.worker.ref();
    this.#inFlight.set(batch, this.#deliveries);
    this.#records = [];
    this.#payloads = [];
    this.#payloadBytes = 0;
    this.#deliveries = [];
    this.post({ type: 'encode', batch, records, payloads }, [payloads, records.buffer]);
  }

  #deliver(message: FromSrtpWorker): void {
    const deliveries = this.#inFlight.get(message.batch);
    if (!deliveries) return;
    this.#inFlight.delete(message.batch);
    if (this.#inFlight.size === 0) this.worker.unref();
    let start = 0;
    for (let index = 0; index < deliveries.length; index++) {
      const end = message.ends[index] as number;
      if (end > start)
        (deliveries[index] as DatagramHandler)(Buffer.from(message.datagrams, start, end - start));
      start = end;
    }
  }
}

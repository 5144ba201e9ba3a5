import { Worker } from 'node:worker_threads';
import type { NativeDestination } from './NativeSrtpStream.js';
import type { NativeSrtpBinding } from './nativeSrtpBinding.js';
import type { OutgoingRtp, SrtpStreamParameters } from './SrtpStreamEncoder.js';
import type { FromSrtpWorker, SrtpWorkerData, ToSrtpWorker } from './workerMessages.js';

const RUNNING_FROM_SOURCES = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(
  RUNNING_FROM_SOURCES ? './srtpWorker.ts' : './srtpWorker.js',
  import.meta.url,
);

/**
 * Run from its sources (tests and benches, through tsx), the worker must register tsx itself:
 * Node 20 applies neither the parent's loader hooks nor `--import` to a worker's entry module.
 */
function startWorker(name: string, workerData: SrtpWorkerData): Worker {
  if (!RUNNING_FROM_SOURCES) return new Worker(WORKER_URL, { name, workerData });
  const entry = JSON.stringify(WORKER_URL.href);
  return new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${entry}); });`,
    { eval: true, name, workerData },
  );
}

/** Receives one encoded datagram, ready to send. */
export type DatagramHandler = (datagram: Buffer) => void;

/** An outgoing stream whose packets a worker encrypts (and, in a native pool, sends). */
export interface PooledSrtpStream {
  /** The worker sends the packets itself (native pool); else `encode` delivers datagrams here. */
  readonly sendsItself: boolean;
  /**
   * Queues `packet` for encryption. JavaScript pool: `deliver` gets the datagram back on this
   * thread. Native pool: the worker sends it to the stream's destination.
   */
  encode(packet: OutgoingRtp, payload: Uint8Array, deliver?: DatagramHandler): void;
  /**
   * Native pool: where the worker sends from now on. The descriptor is duplicated here, before
   * this returns, so the caller's socket may close at any time after.
   */
  setDestination(destination: NativeDestination): void;
  close(): void;
}

/**
 * Worker threads that encrypt outgoing SRTP, so that fan-out uses every core while ICE, DTLS and
 * the media graph stay on the main thread. Packets queued during one turn of the main event loop
 * (a source packet fanned out to its subscribers) travel to a worker as one message: the payload
 * bytes are copied once into a transferred buffer, however many subscribers share them. With the
 * native addon the worker encrypts and sends each datagram itself, on a duplicate of the ICE
 * socket's descriptor; without, node:crypto encrypts there and the datagrams come back to be sent
 * here. Streams are spread over the workers round-robin; a stream always stays on its worker, so
 * its packets keep their order.
 */
export class SrtpWorkerPool {
  readonly #channels: WorkerChannel[];
  readonly #native: NativeSrtpBinding | undefined;
  #nextStream = 1;

  /** @param native the addon: workers send natively (each loads it too); else node:crypto. */
  constructor(size: number, native?: NativeSrtpBinding) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`A send worker pool needs at least one worker; got ${size}.`);
    }
    this.#native = native;
    this.#channels = Array.from(
      { length: size },
      (_, index) => new WorkerChannel(index, { native: native !== undefined }),
    );
  }

  /** The workers, for admission control (their event loops carry media). */
  get workers(): readonly Worker[] {
    return this.#channels.map((channel) => channel.worker);
  }

  openStream(parameters: SrtpStreamParameters): PooledSrtpStream {
    const stream = this.#nextStream++;
    const channel = this.#channels[stream % this.#channels.length] as WorkerChannel;
    channel.post({ type: 'open', stream, parameters });
    const native = this.#native;
    let open = true;
    return {
      sendsItself: native !== undefined,
      encode: (packet, payload, deliver) => {
        if (open) channel.enqueue(stream, packet, payload, deliver);
      },
      setDestination: (destination) => {
        if (!open || !native) return;
        const fd = native.duplicateDescriptor(destination.fd);
        channel.post({ type: 'destination', stream, destination: { ...destination, fd } });
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
  #deliveries: (DatagramHandler | undefined)[] = [];
  #flushScheduled = false;
  #nextBatch = 1;
  readonly #inFlight = new Map<number, (DatagramHandler | undefined)[]>();
  readonly #native: boolean;

  constructor(index: number, workerData: SrtpWorkerData) {
    this.#native = workerData.native;
    this.worker = startWorker(`medley-srtp-${index}`, workerData);
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
    deliver: DatagramHandler | undefined,
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
    if (!this.#native) {
      if (this.#inFlight.size === 0) this.worker.ref();
      this.#inFlight.set(batch, this.#deliveries);
    }
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
      if (end > start) deliveries[index]?.(Buffer.from(message.datagrams, start, end - start));
      start = end;
    }
  }
}

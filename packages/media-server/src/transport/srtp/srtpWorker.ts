import { parentPort, workerData } from 'node:worker_threads';
import { NativeSrtpStream } from './NativeSrtpStream.js';
import { loadNativeSrtp, type NativeSrtpBinding } from './nativeSrtpBinding.js';
import { emptyOutgoingRtp, type OutgoingRtp, SrtpStreamEncoder } from './SrtpStreamEncoder.js';
import {
  type FromSrtpWorker,
  RECORD_FIELDS,
  RecordField,
  type SrtpWorkerData,
  type ToSrtpWorker,
} from './workerMessages.js';

/**
 * A send worker's thread: encrypts batches of packets for the streams the main thread opened,
 * and either sends them itself (native addon) or hands the datagrams back (node:crypto).
 */
const port = parentPort;
if (!port) throw new Error('srtpWorker runs as a worker thread (see SrtpWorkerPool).');

const native = nativeBindingFor(workerData as SrtpWorkerData);
const encoders = new Map<number, SrtpStreamEncoder>();
const senders = new Map<number, NativeSrtpStream>();
/** Streams aimed at a socket shared by many subscribers: queued, sent in batches (sendmmsg). */
const batchedStreams = new Set<number>();
const packet = emptyOutgoingRtp();

port.on('message', (message: ToSrtpWorker) => {
  switch (message.type) {
    case 'open':
      if (native) senders.set(message.stream, new NativeSrtpStream(native, message.parameters));
      else encoders.set(message.stream, new SrtpStreamEncoder(message.parameters));
      break;
    case 'destination':
      try {
        senders.get(message.stream)?.setDestination(message.destination);
        if (message.destination.batched) batchedStreams.add(message.stream);
        else batchedStreams.delete(message.stream);
      } finally {
        native?.closeDescriptor(message.destination.fd);
      }
      break;
    case 'close':
      senders.get(message.stream)?.close();
      senders.delete(message.stream);
      batchedStreams.delete(message.stream);
      encoders.delete(message.stream);
      break;
    case 'encode':
      if (native) sendBatch(message.records, message.payloads);
      else port.postMessage(...encodeBatch(message.batch, message.records, message.payloads));
      break;
  }
});

function nativeBindingFor(data: SrtpWorkerData): NativeSrtpBinding | undefined {
  if (!data?.native) return undefined;
  const loaded = loadNativeSrtp();
  if ('error' in loaded) throw loaded.error;
  return loaded.binding;
}

/** Fills the shared packet record from record `index` of a batch; returns its payload. */
function readRecord(records: Float64Array, payloads: ArrayBuffer, index: number): Buffer {
  const at = index * RECORD_FIELDS;
  const into: OutgoingRtp = packet;
  into.payloadType = records[at + RecordField.PayloadType] as number;
  into.sequenceNumber = records[at + RecordField.SequenceNumber] as number;
  into.timestamp = records[at + RecordField.Timestamp] as number;
  into.marker = records[at + RecordField.Marker] === 1;
  into.sentAtMs = records[at + RecordField.SentAtMs] as number;
  into.rolloverCounter = records[at + RecordField.RolloverCounter] as number;
  const start = records[at + RecordField.PayloadStart] as number;
  const end = records[at + RecordField.PayloadEnd] as number;
  return Buffer.from(payloads, start, end - start);
}

function sendBatch(records: Float64Array, payloads: ArrayBuffer): void {
  const count = records.length / RECORD_FIELDS;
  for (let index = 0; index < count; index++) {
    const stream = records[index * RECORD_FIELDS + RecordField.Stream] as number;
    const sender = senders.get(stream);
    if (!sender) continue; // closed meanwhile
    try {
      // Queued ones leave in one sendmmsg per socket once this batch is done (a microtask).
      if (batchedStreams.has(stream)) sender.queue(packet, readRecord(records, payloads, index));
      else sender.send(packet, readRecord(records, payloads, index));
    } catch {
      // No destination yet (the pair was never nominated): lost, as it would be on the wire.
    }
  }
}

function encodeBatch(
  batch: number,
  records: Float64Array,
  payloads: ArrayBuffer,
): [FromSrtpWorker, ArrayBuffer[]] {
  const count = records.length / RECORD_FIELDS;
  const parts: Buffer[] = [];
  const ends = new Uint32Array(count);
  let length = 0;
  for (let index = 0; index < count; index++) {
    const encoder = encoders.get(records[index * RECORD_FIELDS + RecordField.Stream] as number);
    if (encoder) {
      for (const part of encoder.encode(packet, readRecord(records, payloads, index))) {
        parts.push(part);
        length += part.length;
      }
    }
    ends[index] = length;
  }
  const datagrams = new ArrayBuffer(length);
  const output = new Uint8Array(datagrams);
  let offset = 0;
  for (const part of parts) {
    output.set(part, offset);
    offset += part.length;
  }
  return [{ type: 'encoded', batch, datagrams, ends }, [datagrams, ends.buffer]];
}

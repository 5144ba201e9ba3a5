import { parentPort } from 'node:worker_threads';
import { emptyOutgoingRtp, SrtpStreamEncoder } from './SrtpStreamEncoder.js';
import {
  type FromSrtpWorker,
  RECORD_FIELDS,
  RecordField,
  type ToSrtpWorker,
} from './workerMessages.js';

/** A send worker's thread: encrypts batches of packets for the streams the main thread opened. */
const port = parentPort;
if (!port) throw new Error('srtpWorker runs as a worker thread (see SrtpWorkerPool).');

const streams = new Map<number, SrtpStreamEncoder>();
const packet = emptyOutgoingRtp();

port.on('message', (message: ToSrtpWorker) => {
  switch (message.type) {
    case 'open':
      streams.set(message.stream, new SrtpStreamEncoder(message.parameters));
      break;
    case 'close':
      streams.delete(message.stream);
      break;
    case 'encode':
      port.postMessage(...encodeBatch(message.batch, message.records, message.payloads));
      break;
  }
});

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
    const at = index * RECORD_FIELDS;
    const encoder = streams.get(records[at + RecordField.Stream] as number);
    if (encoder) {
      packet.payloadType = records[at + RecordField.PayloadType] as number;
      packet.sequenceNumber = records[at + RecordField.SequenceNumber] as number;
      packet.timestamp = records[at + RecordField.Timestamp] as number;
      packet.marker = records[at + RecordField.Marker] === 1;
      packet.sentAtMs = records[at + RecordField.SentAtMs] as number;
      packet.rolloverCounter = records[at + RecordField.RolloverCounter] as number;
      const start = records[at + RecordField.PayloadStart] as number;
      const end = records[at + RecordField.PayloadEnd] as number;
      for (const part of encoder.encode(packet, new Uint8Array(payloads, start, end - start))) {
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

import type { NativeDestination } from './NativeSrtpStream.js';
import type { SrtpStreamParameters } from './SrtpStreamEncoder.js';

/** What a send worker is started with. */
export interface SrtpWorkerData {
  /** Encrypt and send through the native addon (no datagram comes back), else node:crypto. */
  readonly native: boolean;
}

/**
 * One packet to encode, as numbers in a Float64Array batch: `RECORD_FIELDS` per packet.
 * Payloads are concatenated into one transferred buffer; a record points into it.
 */
export const RECORD_FIELDS = 9;
export const RecordField = {
  Stream: 0,
  PayloadType: 1,
  SequenceNumber: 2,
  Timestamp: 3,
  Marker: 4,
  SentAtMs: 5,
  RolloverCounter: 6,
  PayloadStart: 7,
  PayloadEnd: 8,
} as const;

export type ToSrtpWorker =
  | { readonly type: 'open'; readonly stream: number; readonly parameters: SrtpStreamParameters }
  | { readonly type: 'close'; readonly stream: number }
  /** Native workers: `destination.fd` is a duplicate made for the worker, which closes it. */
  | {
      readonly type: 'destination';
      readonly stream: number;
      readonly destination: NativeDestination;
    }
  | {
      /** JavaScript workers answer with the datagrams; native workers send them. */
      readonly type: 'encode';
      readonly batch: number;
      readonly records: Float64Array;
      readonly payloads: ArrayBuffer;
    };

/**
 * The encoded datagrams of a batch, back to back in `datagrams`; datagram i ends at `ends[i]`
 * (an empty one: its stream was closed meanwhile).
 */
export interface FromSrtpWorker {
  readonly type: 'encoded';
  readonly batch: number;
  readonly datagrams: ArrayBuffer;
  readonly ends: Uint32Array;
}

import { ArrivalLog, monotonicMs } from './ArrivalLog.js';
import { type MediaKind, payloadTypeOf, sequenceNumberOf } from './rtp.js';

/** One in this many RTP datagrams is fully decrypted, to prove the stream is genuine. */
const DECRYPT_EVERY = 50;

/**
 * The receive side of a light subscriber: counts each RTP datagram by its clear header (media
 * kind, sequence number, arrival time) and fully decrypts only a sample, so that receiving
 * hundreds of streams costs the subscriber processes far less than forwarding costs the server.
 */
export class ReceivedRtp {
  readonly arrivals = new ArrivalLog();
  datagrams = 0;
  decrypted = 0;
  decryptFailures = 0;
  readonly #kinds: ReadonlyMap<number, MediaKind>;
  readonly #decrypt: (datagram: Buffer) => boolean;
  readonly #onFirst: (atMs: number) => void;

  /**
   * @param kinds media kind of each payload type
   * @param decrypt decrypts and authenticates a datagram: false when it is not genuine
   * @param onFirst called once, with the arrival time of the first RTP datagram
   */
  constructor(
    kinds: ReadonlyMap<number, MediaKind>,
    decrypt: (datagram: Buffer) => boolean,
    onFirst: (atMs: number) => void,
  ) {
    this.#kinds = kinds;
    this.#decrypt = decrypt;
    this.#onFirst = onFirst;
  }

  onRtp(datagram: Buffer): void {
    const arrivalMs = monotonicMs();
    const kind = this.#kinds.get(payloadTypeOf(datagram));
    if (kind === undefined) return;
    if (this.arrivals.firstArrivalMs === undefined) this.#onFirst(arrivalMs);
    this.arrivals.record(kind, sequenceNumberOf(datagram), arrivalMs);
    if (this.datagrams++ % DECRYPT_EVERY !== 0) return;
    if (this.#decrypt(datagram)) this.decrypted++;
    else this.decryptFailures++;
  }
}

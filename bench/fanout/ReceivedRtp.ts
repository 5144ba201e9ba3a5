import { ArrivalLog, monotonicMs } from './ArrivalLog.js';
import type { SequenceAnchor } from './ipc.js';
import { type MediaKind, mediaDigest, payloadOf, payloadTypeOf, sequenceNumberOf } from './rtp.js';

/** One in this many RTP datagrams is fully decrypted, to prove the stream is genuine. */
const DECRYPT_EVERY = 50;

export interface ReceivedRtpEvents {
  /** Once, with the arrival time of the first RTP datagram. */
  readonly onFirst: (atMs: number) => void;
  /** Once per media kind. */
  readonly onAnchor: (anchor: SequenceAnchor) => void;
}

/**
 * The receive side of a light subscriber: counts each RTP datagram by its clear header (media
 * kind, sequence number, arrival time) and fully decrypts only the first of each kind and a
 * sample, so that receiving hundreds of streams costs the subscriber processes far less than
 * forwarding them costs the server.
 */
export class ReceivedRtp {
  readonly arrivals = new ArrivalLog();
  datagrams = 0;
  decrypted = 0;
  decryptFailures = 0;
  readonly #kinds: ReadonlyMap<number, MediaKind>;
  readonly #decrypt: (datagram: Buffer) => Buffer | undefined;
  readonly #events: ReceivedRtpEvents;
  readonly #anchored = new Set<MediaKind>();

  /**
   * @param kinds media kind of each payload type
   * @param decrypt the clear RTP packet, or undefined when it does not authenticate
   */
  constructor(
    kinds: ReadonlyMap<number, MediaKind>,
    decrypt: (datagram: Buffer) => Buffer | undefined,
    events: ReceivedRtpEvents,
  ) {
    this.#kinds = kinds;
    this.#decrypt = decrypt;
    this.#events = events;
  }

  onRtp(datagram: Buffer): void {
    const arrivalMs = monotonicMs();
    const kind = this.#kinds.get(payloadTypeOf(datagram));
    if (kind === undefined) return;
    if (this.arrivals.firstArrivalMs === undefined) this.#events.onFirst(arrivalMs);
    const sequenceNumber = sequenceNumberOf(datagram);
    this.arrivals.record(kind, sequenceNumber, arrivalMs);
    const anchoring = !this.#anchored.has(kind);
    if (this.datagrams++ % DECRYPT_EVERY !== 0 && !anchoring) return;
    const clear = this.#decrypt(datagram);
    if (!clear) {
      this.decryptFailures++;
      return;
    }
    this.decrypted++;
    if (!anchoring) return;
    this.#anchored.add(kind);
    const digest = mediaDigest(kind, payloadOf(clear));
    this.#events.onAnchor({ kind, sequenceNumber, arrivalMs, digest });
  }
}

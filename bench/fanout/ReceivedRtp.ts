import { ArrivalLog, monotonicMs } from './ArrivalLog.js';
import type { SequenceAnchor } from './ipc.js';
import { type MediaKind, mediaDigest, payloadOf, payloadTypeOf, sequenceNumberOf } from './rtp.js';

/**
 * One in this many RTP packets of each kind is fully decrypted, to prove the stream is genuine.
 * Under 100, the reorder window in which werift's SRTP tells a sequence-number wrap.
 */
const DECRYPT_EVERY = 50;
/** RTP that still does not decrypt this long after the first arrived means a broken set-up. */
const UNDECRYPTABLE_AFTER_MS = 5000;

/** A clear RTP packet, or why the datagram did not decrypt. */
export type Decrypted = Buffer | string;

export interface ReceivedRtpEvents {
  /** Once, with the arrival time of the first RTP datagram. */
  readonly onFirst: (atMs: number) => void;
  /** Once per media kind. */
  readonly onAnchor: (anchor: SequenceAnchor) => void;
  /** Once, if a kind's packets keep arriving but none decrypts. */
  readonly onUndecryptable: (reason: string) => void;
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
  readonly #datagramsOfKind: Record<MediaKind, number> = { audio: 0, video: 0 };
  decrypted = 0;
  decryptFailures = 0;
  readonly #kinds: ReadonlyMap<number, MediaKind>;
  readonly #decrypt: (datagram: Buffer) => Decrypted;
  readonly #events: ReceivedRtpEvents;
  readonly #anchored = new Set<MediaKind>();
  #reportedUndecryptable = false;

  /** @param kinds media kind of each payload type */
  constructor(
    kinds: ReadonlyMap<number, MediaKind>,
    decrypt: (datagram: Buffer) => Decrypted,
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
    this.datagrams++;
    if (this.#datagramsOfKind[kind]++ % DECRYPT_EVERY !== 0 && !anchoring) return;
    const clear = this.#decrypt(datagram);
    if (typeof clear === 'string') {
      this.decryptFailures++;
      if (anchoring) this.#checkUndecryptable(kind, arrivalMs, clear);
      return;
    }
    this.decrypted++;
    if (!anchoring) return;
    this.#anchored.add(kind);
    const digest = mediaDigest(kind, payloadOf(clear));
    this.#events.onAnchor({ kind, sequenceNumber, arrivalMs, digest });
  }

  #checkUndecryptable(kind: MediaKind, arrivalMs: number, reason: string): void {
    const sinceFirstMs = arrivalMs - (this.arrivals.firstArrivalMs ?? arrivalMs);
    if (this.#reportedUndecryptable || sinceFirstMs < UNDECRYPTABLE_AFTER_MS) return;
    this.#reportedUndecryptable = true;
    this.#events.onUndecryptable(
      `${kind} RTP has arrived for ${UNDECRYPTABLE_AFTER_MS / 1000} s and none decrypts: ${reason}`,
    );
  }
}

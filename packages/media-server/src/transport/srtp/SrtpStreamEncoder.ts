import { type OutgoingHeaderExtensions, RtpHeaderWriter } from './RtpHeaderWriter.js';
import { SrtpAesGcmEncryptor } from './SrtpAesGcmEncryptor.js';

/** What it takes to turn one outgoing RTP stream into SRTP: plain data, so a worker can get it. */
export interface SrtpStreamParameters {
  readonly sessionKey: Uint8Array;
  readonly sessionSalt: Uint8Array;
  readonly ssrc: number;
  readonly extensions: OutgoingHeaderExtensions;
}

/** The fields of one outgoing packet (the header is written from them). */
export interface OutgoingRtp {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  marker: boolean;
  /** Send time for abs-send-time, on any monotonic millisecond clock. */
  sentAtMs: number;
  /** The SRTP rollover counter of the packet (see RolloverCounter). */
  rolloverCounter: number;
}

/** A packet record to fill in and reuse (the encoder and the worker pool read it synchronously). */
export function emptyOutgoingRtp(): OutgoingRtp {
  return {
    payloadType: 0,
    sequenceNumber: 0,
    timestamp: 0,
    marker: false,
    sentAtMs: 0,
    rolloverCounter: 0,
  };
}

/** Header writing and AEAD_AES_128_GCM encryption of one outgoing RTP stream. */
export class SrtpStreamEncoder {
  readonly #headers: RtpHeaderWriter;
  readonly #encryptor: SrtpAesGcmEncryptor;

  constructor(parameters: SrtpStreamParameters) {
    const { sessionKey, sessionSalt, ssrc, extensions } = parameters;
    this.#headers = new RtpHeaderWriter(ssrc, extensions);
    this.#encryptor = new SrtpAesGcmEncryptor(
      Buffer.from(sessionKey),
      Buffer.from(sessionSalt),
      ssrc,
    );
  }

  /** The datagram's parts, in order: header, encrypted payload, authentication tag. */
  encode(
    packet: OutgoingRtp,
    payload: Uint8Array,
  ): [header: Buffer, ciphertext: Buffer, tag: Buffer] {
    const header = this.#headers.write(
      packet.payloadType,
      packet.sequenceNumber,
      packet.timestamp,
      packet.marker,
      packet.sentAtMs,
    );
    const [ciphertext, tag] = this.#encryptor.encrypt(
      header,
      payload,
      packet.rolloverCounter,
      packet.sequenceNumber,
    );
    return [header, ciphertext, tag];
  }
}

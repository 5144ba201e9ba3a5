import { type CipherGCM, createCipheriv, createSecretKey, type KeyObject } from 'node:crypto';

const IV_LENGTH = 12;
const SALT_LENGTH = 12;
const KEY_LENGTH = 16;

/**
 * SRTP encryption of one outgoing RTP stream with AEAD_AES_128_GCM (RFC 7714): the header is
 * authenticated, the payload encrypted, and a 16-byte tag appended. Nothing is copied: the caller
 * sends `[header, ciphertext, tag]` as one datagram.
 *
 * The 12-byte IV is `salt XOR (0x0000 || SSRC || ROC || SEQ)`; the SSRC part is fixed per
 * stream, so only the last six bytes change per packet.
 */
export class SrtpAesGcmEncryptor {
  readonly #key: KeyObject;
  readonly #ivBase = Buffer.alloc(IV_LENGTH);
  /** Reused: createCipheriv copies the IV into the cipher context. */
  readonly #iv = Buffer.alloc(IV_LENGTH);

  constructor(sessionKey: Buffer, sessionSalt: Buffer, ssrc: number) {
    if (sessionKey.length !== KEY_LENGTH || sessionSalt.length < SALT_LENGTH) {
      throw new RangeError(
        `AES-128-GCM needs a ${KEY_LENGTH}-byte session key and a ${SALT_LENGTH}-byte salt; got ${sessionKey.length} and ${sessionSalt.length}.`,
      );
    }
    this.#key = createSecretKey(sessionKey);
    // The key derivation may yield a longer salt (werift derives 14 bytes, as for AES-CM); GCM's
    // IV uses its first 96 bits.
    sessionSalt.copy(this.#ivBase, 0, 0, SALT_LENGTH);
    this.#ivBase.writeUInt32BE((this.#ivBase.readUInt32BE(2) ^ ssrc) >>> 0, 2);
  }

  /** Encrypts `payload` behind `header` (12 bytes or more, extensions included). */
  encrypt(
    header: Buffer,
    payload: Uint8Array,
    rolloverCounter: number,
    sequenceNumber: number,
  ): [ciphertext: Buffer, tag: Buffer] {
    const iv = this.#iv;
    const base = this.#ivBase;
    iv.set(base);
    iv.writeUInt32BE((base.readUInt32BE(6) ^ rolloverCounter) >>> 0, 6);
    iv.writeUInt16BE((base.readUInt16BE(10) ^ sequenceNumber) & 0xffff, 10);
    const cipher: CipherGCM = createCipheriv('aes-128-gcm', this.#key, iv);
    cipher.setAAD(header);
    const ciphertext = cipher.update(payload);
    cipher.final();
    return [ciphertext, cipher.getAuthTag()];
  }
}

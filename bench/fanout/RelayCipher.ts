import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { RolloverCounter, RTP_HEADER_BYTES, sequenceNumberOf, ssrcOf } from './rtp.js';

const KEY_BYTES = 16;
export const SALT_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-128-GCM over RTP the way SRTP's AEAD mode does it (RFC 7714): the 12-byte header is
 * authenticated data, the payload is encrypted, a 16-byte tag follows, and the IV is the salt
 * XOR (SSRC, rollover count, sequence number), fresh for every packet.
 */
export class RelayCipher {
  readonly key: Buffer;
  readonly salt: Buffer;
  readonly #rollovers = new Map<number, RolloverCounter>();
  readonly #iv = Buffer.alloc(SALT_BYTES);

  constructor(key: Buffer = randomBytes(KEY_BYTES), salt: Buffer = randomBytes(SALT_BYTES)) {
    this.key = key;
    this.salt = salt;
  }

  encrypt(packet: Buffer): Buffer {
    const header = packet.subarray(0, RTP_HEADER_BYTES);
    const cipher = createCipheriv('aes-128-gcm', this.key, this.#ivOf(packet));
    cipher.setAAD(header);
    const body = cipher.update(packet.subarray(RTP_HEADER_BYTES));
    cipher.final();
    return Buffer.concat([header, body, cipher.getAuthTag()]);
  }

  /** The clear packet (header + payload), or undefined when it does not authenticate. */
  decrypt(packet: Buffer): Buffer | undefined {
    if (packet.length < RTP_HEADER_BYTES + TAG_BYTES) return undefined;
    try {
      const header = packet.subarray(0, RTP_HEADER_BYTES);
      const decipher = createDecipheriv('aes-128-gcm', this.key, this.#ivOf(packet));
      decipher.setAAD(header);
      decipher.setAuthTag(packet.subarray(packet.length - TAG_BYTES));
      const body = decipher.update(packet.subarray(RTP_HEADER_BYTES, packet.length - TAG_BYTES));
      decipher.final();
      return Buffer.concat([header, body]);
    } catch {
      return undefined;
    }
  }

  #ivOf(packet: Buffer): Buffer {
    const ssrc = ssrcOf(packet);
    const sequenceNumber = sequenceNumberOf(packet);
    let rollovers = this.#rollovers.get(ssrc);
    if (!rollovers) {
      rollovers = new RolloverCounter();
      this.#rollovers.set(ssrc, rollovers);
    }
    const iv = this.#iv;
    iv.fill(0, 0, 2);
    iv.writeUInt32BE(ssrc, 2);
    iv.writeUInt32BE(rollovers.rolloverOf(sequenceNumber), 6);
    iv.writeUInt16BE(sequenceNumber, 10);
    for (let index = 0; index < SALT_BYTES; index++) {
      iv[index] = (iv[index] as number) ^ (this.salt[index] as number);
    }
    return iv;
  }
}

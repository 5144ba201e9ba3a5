import { createCipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { RolloverCounter } from '../srtp/RolloverCounter.js';
import type { SrtpKeyMaterial } from './SdesCryptoSuite.js';

/** RFC 3711 §4.3.1 key derivation labels. */
const LABEL = {
  rtpEncryption: 0,
  rtpAuthentication: 1,
  rtpSalt: 2,
  rtcpEncryption: 3,
  rtcpAuthentication: 4,
  rtcpSalt: 5,
} as const;
const AUTH_KEY_LENGTH = 20;
const SALT_LENGTH = 14;
/** SRTCP carries an 80-bit tag whatever the suite's SRTP tag (RFC 4568 §6.2, libsrtp, ffmpeg). */
const RTCP_TAG_LENGTH = 10;
const RTP_HEADER_LENGTH = 12;
const RTCP_HEADER_LENGTH = 8;
const SRTCP_INDEX_LENGTH = 4;
const HALF_SEQUENCE = 0x8000;

/** The session keys of one direction, for RTP or for RTCP. */
interface SessionKeys {
  readonly cipher: string;
  readonly encryption: Buffer;
  readonly authentication: Buffer;
  readonly salt: Buffer;
}

/** The receive state of one SSRC (RFC 3711 Appendix A). */
interface ReceivedStream {
  rollovers: number;
  highestSequence: number;
}

function deriveKey(material: SrtpKeyMaterial, label: number, length: number): Buffer {
  const { keyLength } = material.suite;
  const masterKey = material.keyAndSalt.subarray(0, keyLength);
  const iv = Buffer.alloc(16);
  material.keyAndSalt.copy(iv, 0, keyLength, keyLength + SALT_LENGTH);
  // key_id = label || r (r = 0: no key derivation rate) sits at the right of the 112-bit salt.
  iv[7] = (iv[7] as number) ^ label;
  const cipher = createCipheriv(`aes-${keyLength * 8}-ctr`, masterKey, iv);
  return cipher.update(Buffer.alloc(length));
}

function sessionKeys(material: SrtpKeyMaterial, rtcp: boolean): SessionKeys {
  const { keyLength } = material.suite;
  const labels = rtcp
    ? [LABEL.rtcpEncryption, LABEL.rtcpAuthentication, LABEL.rtcpSalt]
    : [LABEL.rtpEncryption, LABEL.rtpAuthentication, LABEL.rtpSalt];
  const [encryption, authentication, salt] = labels as [number, number, number];
  return {
    cipher: `aes-${keyLength * 8}-ctr`,
    encryption: deriveKey(material, encryption, keyLength),
    authentication: deriveKey(material, authentication, AUTH_KEY_LENGTH),
    salt: deriveKey(material, salt, SALT_LENGTH),
  };
}

/** IV = (salt · 2^16) XOR (SSRC · 2^64) XOR (index · 2^16), RFC 3711 §4.1.1. */
function counterIv(keys: SessionKeys, ssrc: number, indexHigh: number, indexLow: number): Buffer {
  const iv = Buffer.alloc(16);
  keys.salt.copy(iv, 0);
  iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
  iv.writeUInt32BE((iv.readUInt32BE(8) ^ indexHigh) >>> 0, 8);
  iv.writeUInt16BE(iv.readUInt16BE(12) ^ indexLow, 12);
  return iv;
}

function transform(keys: SessionKeys, iv: Buffer, data: Buffer): Buffer {
  return createCipheriv(keys.cipher, keys.encryption, iv).update(data);
}

function tag(keys: SessionKeys, length: number, ...parts: Buffer[]): Buffer {
  const hmac = createHmac('sha1', keys.authentication);
  for (const part of parts) hmac.update(part);
  return hmac.digest().subarray(0, length);
}

/** Bytes of an RTP header with its CSRCs and extension, or undefined for a truncated packet. */
function rtpHeaderLength(packet: Buffer): number | undefined {
  if (packet.length < RTP_HEADER_LENGTH) return undefined;
  const first = packet[0] as number;
  let length = RTP_HEADER_LENGTH + (first & 0x0f) * 4;
  if (first & 0x10) {
    if (packet.length < length + 4) return undefined;
    length += 4 + packet.readUInt16BE(length + 2) * 4;
  }
  return length <= packet.length ? length : undefined;
}

function roc(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer;
}

/**
 * SRTP and SRTCP with AES counter mode and HMAC-SHA1 (RFC 3711, RFC 6188 for 256-bit keys),
 * the suites SDES negotiates: one instance protects what we send with our key, another
 * unprotects what the peer sends with its key. Packets that fail authentication are dropped
 * (undefined), never passed on.
 */
export class SrtpAesCmSession {
  readonly #rtp: SessionKeys;
  readonly #rtcp: SessionKeys;
  readonly #rtpTagLength: number;
  readonly #outgoingRollovers = new Map<number, RolloverCounter>();
  readonly #received = new Map<number, ReceivedStream>();
  #rtcpIndex = 0;

  constructor(material: SrtpKeyMaterial) {
    this.#rtp = sessionKeys(material, false);
    this.#rtcp = sessionKeys(material, true);
    this.#rtpTagLength = material.suite.rtpTagLength;
  }

  /** An RTP packet as SRTP: payload encrypted, tag appended. */
  protectRtp(packet: Buffer): Buffer {
    const headerLength = rtpHeaderLength(packet) ?? RTP_HEADER_LENGTH;
    const ssrc = packet.readUInt32BE(8);
    const sequence = packet.readUInt16BE(2);
    let counter = this.#outgoingRollovers.get(ssrc);
    if (!counter) {
      counter = new RolloverCounter();
      this.#outgoingRollovers.set(ssrc, counter);
    }
    const rollovers = counter.next(sequence);
    const header = packet.subarray(0, headerLength);
    const iv = counterIv(this.#rtp, ssrc, rollovers, sequence);
    const payload = transform(this.#rtp, iv, packet.subarray(headerLength));
    return Buffer.concat([
      header,
      payload,
      tag(this.#rtp, this.#rtpTagLength, header, payload, roc(rollovers)),
    ]);
  }

  /** The RTP packet inside an SRTP one, or undefined when it is too short or not authentic. */
  unprotectRtp(packet: Buffer): Buffer | undefined {
    const end = packet.length - this.#rtpTagLength;
    const headerLength = rtpHeaderLength(packet);
    if (headerLength === undefined || end < headerLength) return undefined;
    const ssrc = packet.readUInt32BE(8);
    const sequence = packet.readUInt16BE(2);
    const stream = this.#received.get(ssrc);
    const authenticated = packet.subarray(0, end);
    const received = packet.subarray(end);
    const authentic = (candidate: number) =>
      timingSafeEqual(tag(this.#rtp, this.#rtpTagLength, authenticated, roc(candidate)), received);
    let rollovers = stream ? estimateRollovers(stream, sequence) : 0;
    if (authentic(rollovers)) {
      if (!stream) this.#received.set(ssrc, { rollovers, highestSequence: sequence });
      else updateReceived(stream, rollovers, sequence);
    } else {
      // A sender that restarted with the same SSRC and key (GStreamer with a fixed ssrc, a
      // gateway) starts its counter again at a sequence number of its own: the estimate is
      // off by one rollover, or the counter is back at 0. Only a packet that fails is retried.
      const restarted = stream && restartRollovers(stream, rollovers).find(authentic);
      if (restarted === undefined) return undefined;
      rollovers = restarted;
      this.#received.set(ssrc, { rollovers, highestSequence: sequence });
    }
    const iv = counterIv(this.#rtp, ssrc, rollovers, sequence);
    const payload = transform(this.#rtp, iv, packet.subarray(headerLength, end));
    return Buffer.concat([packet.subarray(0, headerLength), payload]);
  }

  /** An RTCP compound packet as SRTCP: encrypted after the first header, index and tag appended. */
  protectRtcp(packet: Buffer): Buffer {
    const index = this.#rtcpIndex;
    this.#rtcpIndex = (this.#rtcpIndex + 1) & 0x7fffffff;
    const ssrc = packet.readUInt32BE(4);
    const iv = counterIv(this.#rtcp, ssrc, index >>> 16, index & 0xffff);
    const header = packet.subarray(0, RTCP_HEADER_LENGTH);
    const body = transform(this.#rtcp, iv, packet.subarray(RTCP_HEADER_LENGTH));
    const trailer = Buffer.alloc(SRTCP_INDEX_LENGTH);
    trailer.writeUInt32BE((0x80000000 | index) >>> 0);
    return Buffer.concat([
      header,
      body,
      trailer,
      tag(this.#rtcp, RTCP_TAG_LENGTH, header, body, trailer),
    ]);
  }

  /** The RTCP compound packet inside an SRTCP one, or undefined when it is not authentic. */
  unprotectRtcp(packet: Buffer): Buffer | undefined {
    const end = packet.length - RTCP_TAG_LENGTH - SRTCP_INDEX_LENGTH;
    if (end < RTCP_HEADER_LENGTH) return undefined;
    const authenticated = packet.subarray(0, end + SRTCP_INDEX_LENGTH);
    const expected = tag(this.#rtcp, RTCP_TAG_LENGTH, authenticated);
    if (!timingSafeEqual(expected, packet.subarray(end + SRTCP_INDEX_LENGTH))) return undefined;
    const word = packet.readUInt32BE(end);
    const header = packet.subarray(0, RTCP_HEADER_LENGTH);
    const body = packet.subarray(RTCP_HEADER_LENGTH, end);
    if ((word & 0x80000000) === 0) return Buffer.concat([header, body]);
    const index = word & 0x7fffffff;
    const iv = counterIv(this.#rtcp, packet.readUInt32BE(4), index >>> 16, index & 0xffff);
    return Buffer.concat([header, transform(this.#rtcp, iv, body)]);
  }
}

/** RFC 3711 Appendix A: the rollover counter a received sequence number most likely has. */
function estimateRollovers(stream: ReceivedStream, sequence: number): number {
  const { rollovers, highestSequence } = stream;
  if (highestSequence < HALF_SEQUENCE) {
    return sequence - highestSequence > HALF_SEQUENCE ? (rollovers - 1) >>> 0 : rollovers;
  }
  return highestSequence - HALF_SEQUENCE > sequence ? (rollovers + 1) >>> 0 : rollovers;
}

/** The rollover counters a restarted sender may use, other than the estimate already tried. */
function restartRollovers(stream: ReceivedStream, tried: number): number[] {
  const candidates = [
    stream.rollovers,
    (stream.rollovers + 1) >>> 0,
    (stream.rollovers - 1) >>> 0,
    0,
  ];
  return [...new Set(candidates)].filter((candidate) => candidate !== tried);
}

function updateReceived(stream: ReceivedStream, rollovers: number, sequence: number): void {
  if (rollovers === (stream.rollovers + 1) >>> 0) {
    stream.rollovers = rollovers;
    stream.highestSequence = sequence;
  } else if (rollovers === stream.rollovers && sequence > stream.highestSequence) {
    stream.highestSequence = sequence;
  }
}

const FIXED_HEADER_LENGTH = 12;
const ONE_BYTE_EXTENSION_PROFILE = 0xbede;
const ABS_SEND_TIME_LENGTH = 3;
/** abs-send-time is 6.18 fixed-point seconds, 24 bits: it wraps every 64 s. */
const ABS_SEND_TIME_UNITS_PER_MS = (1 << 18) / 1000;

/** The header extensions a sender writes into every packet (ids negotiated in the SDP). */
export interface OutgoingHeaderExtensions {
  /** urn:ietf:params:rtp-hdrext:sdes:mid, for receivers that demultiplex by MID. */
  readonly mid?: { readonly id: number; readonly value: string } | undefined;
  /** http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time, for the receiver's REMB. */
  readonly absSendTimeId?: number | undefined;
}

/**
 * Writes the RTP header of one outgoing stream: the fixed part and the one-byte header extensions
 * are laid out once in a template; each packet only gets its own copy with payload type, marker,
 * sequence number, timestamp and send time filled in. A fresh copy per packet, because a datagram
 * may still be queued in the socket when the next packet is written.
 */
export class RtpHeaderWriter {
  readonly #template: Buffer;
  readonly #absSendTimeOffset: number | undefined;

  constructor(ssrc: number, extensions: OutgoingHeaderExtensions = {}) {
    const elements: Buffer[] = [];
    let absSendTimeOffset: number | undefined;
    let elementsLength = 0;
    if (extensions.mid) {
      const value = Buffer.from(extensions.mid.value, 'utf8');
      elements.push(Buffer.from([oneByteElementHeader(extensions.mid.id, value.length)]), value);
      elementsLength += 1 + value.length;
    }
    if (extensions.absSendTimeId !== undefined) {
      elements.push(
        Buffer.from([
          oneByteElementHeader(extensions.absSendTimeId, ABS_SEND_TIME_LENGTH),
          0,
          0,
          0,
        ]),
      );
      absSendTimeOffset = FIXED_HEADER_LENGTH + 4 + elementsLength + 1;
      elementsLength += 1 + ABS_SEND_TIME_LENGTH;
    }
    const extensionWords = Math.ceil(elementsLength / 4);
    const length = FIXED_HEADER_LENGTH + (elementsLength > 0 ? 4 + extensionWords * 4 : 0);
    const template = Buffer.alloc(length);
    template[0] = elementsLength > 0 ? 0x90 : 0x80;
    template.writeUInt32BE(ssrc >>> 0, 8);
    if (elementsLength > 0) {
      template.writeUInt16BE(ONE_BYTE_EXTENSION_PROFILE, FIXED_HEADER_LENGTH);
      template.writeUInt16BE(extensionWords, FIXED_HEADER_LENGTH + 2);
      Buffer.concat(elements).copy(template, FIXED_HEADER_LENGTH + 4);
    }
    this.#template = template;
    this.#absSendTimeOffset = absSendTimeOffset;
  }

  /** Bytes of every header this writer writes (fixed part and extensions). */
  get length(): number {
    return this.#template.length;
  }

  /** A new header for one packet; `nowMs` is any monotonic clock in milliseconds. */
  write(
    payloadType: number,
    sequenceNumber: number,
    timestamp: number,
    marker: boolean,
    nowMs: number,
  ): Buffer {
    const header = Buffer.allocUnsafe(this.#template.length);
    this.#template.copy(header);
    return this.#fill(header, payloadType, sequenceNumber, timestamp, marker, nowMs);
  }

  /**
   * The header of one packet written into the template itself, without allocating: only for a
   * consumer that is done with it before the next packet is written (a synchronous send).
   */
  overwrite(
    payloadType: number,
    sequenceNumber: number,
    timestamp: number,
    marker: boolean,
    nowMs: number,
  ): Buffer {
    return this.#fill(this.#template, payloadType, sequenceNumber, timestamp, marker, nowMs);
  }

  #fill(
    header: Buffer,
    payloadType: number,
    sequenceNumber: number,
    timestamp: number,
    marker: boolean,
    nowMs: number,
  ): Buffer {
    header[1] = marker ? payloadType | 0x80 : payloadType;
    header.writeUInt16BE(sequenceNumber, 2);
    header.writeUInt32BE(timestamp >>> 0, 4);
    const offset = this.#absSendTimeOffset;
    if (offset !== undefined) header.writeUIntBE(absSendTime(nowMs), offset, ABS_SEND_TIME_LENGTH);
    return header;
  }
}

function oneByteElementHeader(id: number, length: number): number {
  if (!Number.isInteger(id) || id < 1 || id > 14) {
    throw new RangeError(`A one-byte header extension id is 1-14; got ${id}.`);
  }
  if (length < 1 || length > 16) {
    throw new RangeError(`A one-byte header extension holds 1-16 bytes; got ${length}.`);
  }
  return (id << 4) | (length - 1);
}

function absSendTime(nowMs: number): number {
  return Math.floor(nowMs * ABS_SEND_TIME_UNITS_PER_MS) & 0xffffff;
}

/** The few RTP header fields the benchmark reads and writes, on raw datagrams. */

export type MediaKind = 'audio' | 'video';

export const RTP_HEADER_BYTES = 12;
export const VIDEO_PAYLOAD_TYPE = 96;
export const AUDIO_PAYLOAD_TYPE = 111;

/**
 * RTP rather than RTCP, DTLS or STUN (RFC 7983 demultiplexing, RFC 5761 for RTCP: its packet
 * types 192-223 sit where an RTP marker bit and payload type would be).
 */
export function isRtp(datagram: Buffer): boolean {
  if (datagram.length < RTP_HEADER_BYTES) return false;
  const first = datagram[0] as number;
  const second = datagram[1] as number;
  return first >= 0x80 && first <= 0xbf && (second < 192 || second > 223);
}

export function payloadTypeOf(datagram: Buffer): number {
  return (datagram[1] as number) & 0x7f;
}

export function sequenceNumberOf(datagram: Buffer): number {
  return datagram.readUInt16BE(2);
}

export function ssrcOf(datagram: Buffer): number {
  return datagram.readUInt32BE(8);
}

export interface RtpHeaderFields {
  readonly payloadType: number;
  readonly marker: boolean;
  readonly sequenceNumber: number;
  readonly timestamp: number;
  readonly ssrc: number;
}

/** A 12-byte header (no CSRC, no extension) followed by `payload`. */
export function serializeRtp(header: RtpHeaderFields, payload: Buffer): Buffer {
  const packet = Buffer.allocUnsafe(RTP_HEADER_BYTES + payload.length);
  packet[0] = 0x80;
  packet[1] = (header.marker ? 0x80 : 0) | header.payloadType;
  packet.writeUInt16BE(header.sequenceNumber & 0xffff, 2);
  packet.writeUInt32BE(header.timestamp >>> 0, 4);
  packet.writeUInt32BE(header.ssrc >>> 0, 8);
  payload.copy(packet, RTP_HEADER_BYTES);
  return packet;
}

/** The kind of each payload type an SDP offers, from its m-lines (`m=video 9 UDP/TLS/RTP/SAVPF 96 97`). */
export function payloadKindsOfSdp(sdp: string): Map<number, MediaKind> {
  const kinds = new Map<number, MediaKind>();
  for (const match of sdp.matchAll(/^m=(audio|video) \d+ \S+ ([\d ]+)/gm)) {
    const kind = match[1] as MediaKind;
    for (const payloadType of (match[2] ?? '').trim().split(/\s+/)) {
      kinds.set(Number(payloadType), kind);
    }
  }
  return kinds;
}

/** Counts wraps of a 16-bit sequence number, to rebuild SRTP's packet index (RFC 3711 §3.3.1). */
export class RolloverCounter {
  #highest = -1;
  #rollovers = 0;

  /** The rollover count of a packet with this sequence number (call in arrival order). */
  rolloverOf(sequenceNumber: number): number {
    if (this.#highest < 0) {
      this.#highest = sequenceNumber;
    } else if (sequenceNumber < this.#highest && this.#highest - sequenceNumber > 0x8000) {
      this.#rollovers++;
      this.#highest = sequenceNumber;
    } else if (sequenceNumber > this.#highest && sequenceNumber - this.#highest < 0x8000) {
      this.#highest = sequenceNumber;
    }
    return this.#rollovers;
  }
}

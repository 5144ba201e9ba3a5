// The few RTP header fields the benchmark reads and writes, on raw datagrams.
import { createHash } from 'node:crypto';

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

/**
 * The media kind of each payload type an SDP offers (m-lines), leaving out retransmission and
 * redundancy formats (rtx, red, FEC), whose sequence numbers are not the media's.
 */
export function payloadKindsOfSdp(sdp: string): Map<number, MediaKind> {
  const repair = new Set(
    [...sdp.matchAll(/^a=rtpmap:(\d+) (rtx|red|ulpfec|flexfec[^/]*)\//gim)].map((match) =>
      Number(match[1]),
    ),
  );
  const kinds = new Map<number, MediaKind>();
  for (const match of sdp.matchAll(/^m=(audio|video) \d+ \S+ ([\d ]+)/gm)) {
    const kind = match[1] as MediaKind;
    for (const payloadType of (match[2] ?? '').trim().split(/\s+/).map(Number)) {
      if (!repair.has(payloadType)) kinds.set(payloadType, kind);
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

/** The payload of a clear RTP packet: after the CSRCs and the header extension, before padding. */
export function payloadOf(packet: Buffer): Buffer {
  const first = packet[0] as number;
  let offset = RTP_HEADER_BYTES + 4 * (first & 0x0f);
  if (first & 0x10) offset += 4 + 4 * packet.readUInt16BE(offset + 2);
  const padding = first & 0x20 ? (packet[packet.length - 1] as number) : 0;
  return packet.subarray(offset, packet.length - padding);
}

/**
 * A digest of what a packet carries of the clip: its codec data, without the VP8 payload
 * descriptor (RFC 7741 §4.2), whose picture id a forwarder may rewrite.
 */
export function mediaDigest(kind: MediaKind, payload: Buffer): string {
  return createHash('sha1')
    .update(kind === 'video' ? payload.subarray(vp8DescriptorLength(payload)) : payload)
    .digest('base64');
}

function vp8DescriptorLength(payload: Buffer): number {
  const first = payload[0] ?? 0;
  if (!(first & 0x80)) return 1;
  const extension = payload[1] ?? 0;
  let length = 2;
  if (extension & 0x80) length += (payload[length] ?? 0) & 0x80 ? 2 : 1; // I: picture id
  if (extension & 0x40) length += 1; // L: TL0PICIDX
  if (extension & 0x30) length += 1; // T or K: TID / KEYIDX
  return length;
}

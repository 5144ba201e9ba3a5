/**
 * The RTCP packets an RtpEndpoint writes and reads (RFC 3550, RFC 4585, RFC 5104), as bytes:
 * sender and receiver reports, SDES CNAME, BYE, generic NACK, PLI and FIR. Plain-RTP peers
 * (ffmpeg, GStreamer, SIP gateways) send them without any WebRTC stack in between.
 */

export const RTCP_SENDER_REPORT = 200;
export const RTCP_RECEIVER_REPORT = 201;
export const RTCP_SOURCE_DESCRIPTION = 202;
export const RTCP_GOODBYE = 203;
/** Transport-layer feedback (RFC 4585 §6.2): FMT 1 is the generic NACK. */
export const RTCP_TRANSPORT_FEEDBACK = 205;
/** Payload-specific feedback (RFC 4585 §6.3): FMT 1 PLI, FMT 4 FIR (RFC 5104). */
export const RTCP_PAYLOAD_FEEDBACK = 206;
export const GENERIC_NACK_FORMAT = 1;
export const PLI_FORMAT = 1;
export const FIR_FORMAT = 4;

const SDES_CNAME = 1;
/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
const NTP_UNIX_OFFSET_SECONDS = 2_208_988_800;

/** One packet of an RTCP compound packet: where it is, its type and its count/format field. */
export interface RtcpPacketView {
  readonly type: number;
  /** The 5-bit field after V and P: a report count, a source count or a feedback format. */
  readonly format: number;
  readonly offset: number;
  readonly length: number;
}

/** The packets of a compound RTCP packet, stopping at the first one whose length does not fit. */
export function* rtcpPacketsOf(compound: Buffer): Generator<RtcpPacketView> {
  for (let offset = 0; offset + 4 <= compound.length; ) {
    const length = (compound.readUInt16BE(offset + 2) + 1) * 4;
    if (offset + length > compound.length || (compound[offset] as number) >> 6 !== 2) return;
    yield {
      type: compound[offset + 1] as number,
      format: (compound[offset] as number) & 0x1f,
      offset,
      length,
    };
    offset += length;
  }
}

/** What a generic NACK asks for: the stream (media SSRC) and its lost sequence numbers. */
export interface GenericNackRequest {
  readonly mediaSsrc: number;
  readonly sequenceNumbers: readonly number[];
}

/**
 * Reads a generic NACK (RFC 4585 §6.2.1): each FCI entry is a PID and a bitmask of the 16
 * sequence numbers after it (BLP), wrapping at 65535.
 */
export function readGenericNack(compound: Buffer, packet: RtcpPacketView): GenericNackRequest {
  const mediaSsrc = packet.length >= 12 ? compound.readUInt32BE(packet.offset + 8) : 0;
  const sequenceNumbers: number[] = [];
  for (let entry = packet.offset + 12; entry + 4 <= packet.offset + packet.length; entry += 4) {
    const lost = compound.readUInt16BE(entry);
    const bitmask = compound.readUInt16BE(entry + 2);
    sequenceNumbers.push(lost);
    for (let bit = 0; bit < 16; bit++) {
      if (bitmask & (1 << bit)) sequenceNumbers.push((lost + bit + 1) & 0xffff);
    }
  }
  return { mediaSsrc, sequenceNumbers };
}

/** The SSRCs a BYE says goodbye for. */
export function readGoodbyeSources(compound: Buffer, packet: RtcpPacketView): number[] {
  const sources: number[] = [];
  for (let index = 0; index < packet.format && 8 + index * 4 <= packet.length; index++) {
    sources.push(compound.readUInt32BE(packet.offset + 4 + index * 4));
  }
  return sources;
}

/** What the peer's report block says of a stream it receives (RFC 3550 §6.4.1). */
export interface ReportBlock {
  readonly ssrc: number;
  /** The fraction lost since its previous report, times 256. */
  readonly fractionLost: number;
  readonly cumulativeLost: number;
  /** The middle 32 bits of the NTP time of our last sender report it received; 0 for none. */
  readonly lastSenderReport: number;
  /** How long after that report it sent this one, in 1/65536 s. */
  readonly delaySinceLastSenderReport: number;
}

/** The report blocks of a sender (SR) or receiver report (RR). */
export function readReportBlocks(compound: Buffer, packet: RtcpPacketView): ReportBlock[] {
  const first = packet.offset + (packet.type === RTCP_SENDER_REPORT ? 28 : 8);
  const blocks: ReportBlock[] = [];
  for (let index = 0; index < packet.format; index++) {
    const block = first + index * 24;
    if (block + 24 > packet.offset + packet.length) break;
    blocks.push({
      ssrc: compound.readUInt32BE(block),
      fractionLost: compound[block + 4] as number,
      cumulativeLost: compound.readIntBE(block + 5, 3),
      lastSenderReport: compound.readUInt32BE(block + 16),
      delaySinceLastSenderReport: compound.readUInt32BE(block + 20),
    });
  }
  return blocks;
}

/**
 * The round trip a report block measures (RFC 3550 §6.4.1: arrival − LSR − DLSR, in NTP's
 * middle 32 bits), in seconds; undefined when the peer had no sender report of ours yet.
 */
export function roundTripSeconds(
  block: ReportBlock,
  arrivalWallClockMs: number,
): number | undefined {
  if (block.lastSenderReport === 0) return undefined;
  const arrival = ntpMiddle(arrivalWallClockMs);
  const ticks = (arrival - block.lastSenderReport - block.delaySinceLastSenderReport) >>> 0;
  // Clocks an instant apart can give a tiny negative round trip, which wraps to ~65536 s.
  return ticks > 0x80000000 ? 0 : ticks / 65536;
}

/** The middle 32 bits of the NTP timestamp of a wall-clock time in Unix ms. */
function ntpMiddle(wallClockMs: number): number {
  const seconds = Math.floor(wallClockMs / 1000);
  const fraction = Math.floor(((wallClockMs - seconds * 1000) / 1000) * 65536);
  return ((((seconds + NTP_UNIX_OFFSET_SECONDS) & 0xffff) << 16) | fraction) >>> 0;
}

/** What a sender report says of the stream we send (RFC 3550 §6.4.1). */
export interface SenderReportFields {
  readonly ssrc: number;
  /** The wall-clock time of the report, in Unix milliseconds. */
  readonly wallClockMs: number;
  /** The RTP timestamp of the stream at that wall-clock time. */
  readonly rtpTimestamp: number;
  readonly packetCount: number;
  readonly octetCount: number;
}

/** A sender report without report blocks. */
export function senderReport(fields: SenderReportFields): Buffer {
  const packet = Buffer.alloc(28);
  packet[0] = 0x80;
  packet[1] = RTCP_SENDER_REPORT;
  packet.writeUInt16BE(6, 2);
  packet.writeUInt32BE(fields.ssrc >>> 0, 4);
  const seconds = Math.floor(fields.wallClockMs / 1000);
  const fraction = Math.floor(((fields.wallClockMs - seconds * 1000) / 1000) * 2 ** 32);
  packet.writeUInt32BE((seconds + NTP_UNIX_OFFSET_SECONDS) >>> 0, 8);
  packet.writeUInt32BE(Math.min(fraction, 0xffffffff) >>> 0, 12);
  packet.writeUInt32BE(fields.rtpTimestamp >>> 0, 16);
  packet.writeUInt32BE(fields.packetCount >>> 0, 20);
  packet.writeUInt32BE(fields.octetCount >>> 0, 24);
  return packet;
}

/** A receiver report without report blocks (we are there, but report no statistics). */
export function receiverReport(ssrc: number): Buffer {
  const packet = Buffer.alloc(8);
  packet[0] = 0x80;
  packet[1] = RTCP_RECEIVER_REPORT;
  packet.writeUInt16BE(1, 2);
  packet.writeUInt32BE(ssrc >>> 0, 4);
  return packet;
}

/**
 * An SDES packet with the CNAME of one source. Receivers pair the audio and the video of a
 * participant by CNAME to play them in sync (GStreamer's rtpbin does), so every medium of an
 * endpoint carries the same one.
 */
export function sourceDescription(ssrc: number, cname: string): Buffer {
  const text = Buffer.from(cname.slice(0, 255), 'utf8').subarray(0, 255);
  // SSRC, CNAME item (type, length, text), then at least one null octet up to a 32-bit boundary.
  const chunkLength = Math.ceil((4 + 2 + text.length + 1) / 4) * 4;
  const packet = Buffer.alloc(4 + chunkLength);
  packet[0] = 0x81;
  packet[1] = RTCP_SOURCE_DESCRIPTION;
  packet.writeUInt16BE(packet.length / 4 - 1, 2);
  packet.writeUInt32BE(ssrc >>> 0, 4);
  packet[8] = SDES_CNAME;
  packet[9] = text.length;
  text.copy(packet, 10);
  return packet;
}

/** A BYE for one source: it leaves the session. */
export function goodbye(ssrc: number): Buffer {
  const packet = Buffer.alloc(8);
  packet[0] = 0x81;
  packet[1] = RTCP_GOODBYE;
  packet.writeUInt16BE(1, 2);
  packet.writeUInt32BE(ssrc >>> 0, 4);
  return packet;
}

/** A picture loss indication for the peer's stream. */
export function pictureLossIndication(senderSsrc: number, mediaSsrc: number): Buffer {
  const packet = Buffer.alloc(12);
  packet[0] = 0x80 | PLI_FORMAT;
  packet[1] = RTCP_PAYLOAD_FEEDBACK;
  packet.writeUInt16BE(2, 2);
  packet.writeUInt32BE(senderSsrc >>> 0, 4);
  packet.writeUInt32BE(mediaSsrc >>> 0, 8);
  return packet;
}

/** A full intra request (RFC 5104 §4.3.1) for the peer's stream; `sequence` counts requests. */
export function fullIntraRequest(senderSsrc: number, mediaSsrc: number, sequence: number): Buffer {
  const packet = Buffer.alloc(20);
  packet[0] = 0x80 | FIR_FORMAT;
  packet[1] = RTCP_PAYLOAD_FEEDBACK;
  packet.writeUInt16BE(4, 2);
  packet.writeUInt32BE(senderSsrc >>> 0, 4);
  packet.writeUInt32BE(mediaSsrc >>> 0, 12);
  packet[16] = sequence & 0xff;
  return packet;
}

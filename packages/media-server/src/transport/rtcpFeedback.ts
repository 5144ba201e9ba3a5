import {
  type GenericNack,
  ReceiverEstimatedMaxBitrate,
  type RtcpPacket,
  RtcpPayloadSpecificFeedback,
  RtcpTransportLayerFeedback,
} from 'werift';

/** The largest mantissa of a REMB bitrate (18 bits); the exponent has 6 bits. */
const REMB_MANTISSA_LIMIT = 1 << 18;
const REMB_EXPONENT_LIMIT = 63;
const GENERIC_NACK_FORMAT = 1;

/**
 * The sequence numbers a Generic NACK (RFC 4585 6.2.1) asks for, once each. werift expands the
 * PID + bitmask pairs without wrapping at 65535, so a NACK sent across the wrap is reduced here.
 */
export function nackedSequenceNumbers(nack: GenericNack): number[] {
  return [...new Set(nack.lost.map((sequenceNumber) => sequenceNumber & 0xffff))];
}

/** A REMB bitrate (draft-alvestrand-rmcat-remb) as its 6-bit exponent and 18-bit mantissa. */
export interface RembBitrateFields {
  readonly exponent: number;
  readonly mantissa: number;
}

/**
 * Encodes a bitrate in REMB's floating point, rounding down: a receiver never announces more
 * than it estimated.
 */
export function encodeRembBitrate(bitsPerSecond: number): RembBitrateFields {
  let mantissa = Math.max(0, Math.floor(bitsPerSecond));
  let exponent = 0;
  while (mantissa >= REMB_MANTISSA_LIMIT && exponent < REMB_EXPONENT_LIMIT) {
    mantissa = Math.floor(mantissa / 2);
    exponent++;
  }
  return { exponent, mantissa: Math.min(mantissa, REMB_MANTISSA_LIMIT - 1) };
}

export function decodeRembBitrate({ exponent, mantissa }: RembBitrateFields): number {
  return mantissa * 2 ** exponent;
}

/** The Generic NACK inside an RTCP packet, if it is one. */
export function genericNackOf(packet: RtcpPacket): GenericNack | undefined {
  if (packet.type !== RtcpTransportLayerFeedback.type) return undefined;
  const feedback = (packet as RtcpTransportLayerFeedback).feedback;
  return feedback?.count === GENERIC_NACK_FORMAT ? (feedback as GenericNack) : undefined;
}

/** A REMB carried by an RTCP packet: the estimate in bit/s and the SSRCs it is about. */
export interface RembEstimate {
  readonly bitsPerSecond: number;
  readonly ssrcs: readonly number[];
}

export function rembOf(packet: RtcpPacket): RembEstimate | undefined {
  if (packet.type !== RtcpPayloadSpecificFeedback.type) return undefined;
  const feedback = (packet as RtcpPayloadSpecificFeedback).feedback;
  if (!(feedback instanceof ReceiverEstimatedMaxBitrate)) return undefined;
  const bitsPerSecond = decodeRembBitrate({
    exponent: feedback.brExp,
    mantissa: feedback.brMantissa,
  });
  return { bitsPerSecond, ssrcs: feedback.ssrcFeedbacks };
}

/** An RTCP REMB telling a sender the bitrate it may use for the streams `mediaSsrcs`. */
export function createRemb(
  senderSsrc: number,
  bitsPerSecond: number,
  mediaSsrcs: readonly number[],
): RtcpPayloadSpecificFeedback {
  const { exponent, mantissa } = encodeRembBitrate(bitsPerSecond);
  const remb = new ReceiverEstimatedMaxBitrate({
    senderSsrc,
    mediaSsrc: 0,
    ssrcNum: mediaSsrcs.length,
    brExp: exponent,
    brMantissa: mantissa,
    ssrcFeedbacks: [...mediaSsrcs],
  });
  return new RtcpPayloadSpecificFeedback({ feedback: remb });
}

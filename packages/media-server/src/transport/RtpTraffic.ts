/**
 * What a transport carried for one media kind since it was created, for metrics. Every field is
 * a running total read from counters werift and the bindings keep anyway (nothing is counted per
 * packet for it); packets and bytes are RTP payloads, as W3C `packetsSent` and `bytesSent`.
 */
export interface RtpTraffic {
  packetsReceived: number;
  bytesReceived: number;
  packetsSent: number;
  bytesSent: number;
  /**
   * Packets of the peer's streams that never arrived (expected minus received, what the server's
   * Receiver Reports tell the peer). It can shrink when a late or resent packet arrives.
   */
  packetsLostInbound: number;
  /** Packets of the server's streams the peer reports lost (cumulative lost of its Receiver Reports). */
  packetsLostOutbound: number;
  /** Generic NACKs the peer sent about the server's streams. */
  nacksReceived: number;
  /** Packets resent in answer to those NACKs, and their payload bytes. */
  retransmittedPackets: number;
  retransmittedBytes: number;
  /** Keyframe requests the peer sent (RTCP PLI, FIR) for the server's streams. */
  plisReceived: number;
  firsReceived: number;
  /** PLIs the server sent the peer for its streams (the server never asks by FIR). */
  plisSent: number;
}

export type RtpMediaKind = 'audio' | 'video';

export const rtpMediaKinds: readonly RtpMediaKind[] = ['audio', 'video'];

export type RtpTrafficByKind = Record<RtpMediaKind, RtpTraffic>;

export function emptyRtpTraffic(): RtpTraffic {
  return {
    packetsReceived: 0,
    bytesReceived: 0,
    packetsSent: 0,
    bytesSent: 0,
    packetsLostInbound: 0,
    packetsLostOutbound: 0,
    nacksReceived: 0,
    retransmittedPackets: 0,
    retransmittedBytes: 0,
    plisReceived: 0,
    firsReceived: 0,
    plisSent: 0,
  };
}

export function emptyRtpTrafficByKind(): RtpTrafficByKind {
  return { audio: emptyRtpTraffic(), video: emptyRtpTraffic() };
}

/** Adds every field of `from` to `into`. */
export function addRtpTraffic(into: RtpTrafficByKind, from: RtpTrafficByKind): void {
  for (const kind of rtpMediaKinds) {
    const target = into[kind];
    const source = from[kind];
    for (const field of Object.keys(target) as (keyof RtpTraffic)[]) target[field] += source[field];
  }
}

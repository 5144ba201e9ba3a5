import type { MediaStreamTrack, RTCRtpReceiver, RTCRtpTransceiver, RtpPacket } from 'werift';

/**
 * The simulcast layer a received track carries: its position among the transceiver's tracks,
 * which werift creates in the order of the offer's `a=rid` lines, that is the order of the
 * browser's sendEncodings, lowest first by convention (and in @medley/webrtc-peer). Undefined
 * for a transceiver that receives a single stream.
 */
export function simulcastLayerOf(
  transceiver: RTCRtpTransceiver,
  track: MediaStreamTrack,
): number | undefined {
  if (!track.rid) return undefined;
  const layer = transceiver.receiver.tracks.indexOf(track);
  return layer < 0 ? undefined : layer;
}

interface NackGenerator {
  addPacket(packet: RtpPacket): void;
  close(): void;
}

/**
 * werift's receiver has one NACK generator for all its SSRCs. With simulcast the layers' sequence
 * numbers interleave in it: it then sees huge gaps, walks them packet by packet and NACKs
 * sequence numbers for the wrong SSRC. This gives each SSRC a generator of werift's own kind.
 */
export function separateNackGenerators(receiver: RTCRtpReceiver): void {
  const shared = (receiver as unknown as { nack?: NackGenerator }).nack;
  if (!shared || typeof shared.addPacket !== 'function') return;
  const Generator = shared.constructor as new (owner: RTCRtpReceiver) => NackGenerator;
  const bySsrc = new Map<number, NackGenerator>();
  const perSsrc: NackGenerator = {
    addPacket(packet) {
      let generator = bySsrc.get(packet.header.ssrc);
      if (!generator) {
        generator = new Generator(receiver);
        bySsrc.set(packet.header.ssrc, generator);
      }
      generator.addPacket(packet);
    },
    close() {
      shared.close();
      for (const generator of bySsrc.values()) generator.close();
    },
  };
  (receiver as unknown as { nack: NackGenerator }).nack = perSsrc;
}

import type { PlayableTrack } from '../DemuxedMedia.js';
import { H264Packetizer } from './H264Packetizer.js';
import { OpusPacketizer } from './OpusPacketizer.js';
import type { Packetizer } from './Packetizer.js';
import { Vp8Packetizer } from './Vp8Packetizer.js';
import { Vp9Packetizer } from './Vp9Packetizer.js';

export { H264Packetizer } from './H264Packetizer.js';
export { OpusPacketizer } from './OpusPacketizer.js';
export { MAX_PAYLOAD_BYTES, type Packetizer } from './Packetizer.js';
export { Vp8Packetizer } from './Vp8Packetizer.js';
export { Vp9Packetizer } from './Vp9Packetizer.js';

export function createPacketizer(track: PlayableTrack): Packetizer {
  switch (track.codec) {
    case 'VP8':
      return new Vp8Packetizer();
    case 'VP9':
      return new Vp9Packetizer();
    case 'H264':
      return new H264Packetizer(track.avcConfiguration);
    case 'OPUS':
      return new OpusPacketizer();
  }
}

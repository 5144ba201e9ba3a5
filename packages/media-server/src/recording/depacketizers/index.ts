import type { RecordedCodec } from '../MediaProfile.js';
import type { Depacketizer } from './Depacketizer.js';
import { H264Depacketizer } from './H264Depacketizer.js';
import { OpusDepacketizer } from './OpusDepacketizer.js';
import { Vp8Depacketizer } from './Vp8Depacketizer.js';
import { Vp9Depacketizer } from './Vp9Depacketizer.js';

export type { Depacketizer } from './Depacketizer.js';
export { H264Depacketizer } from './H264Depacketizer.js';
export { OpusDepacketizer } from './OpusDepacketizer.js';
export { Vp8Depacketizer } from './Vp8Depacketizer.js';
export { Vp9Depacketizer } from './Vp9Depacketizer.js';

export function createDepacketizer(codec: RecordedCodec): Depacketizer {
  switch (codec) {
    case 'VP8':
      return new Vp8Depacketizer();
    case 'VP9':
      return new Vp9Depacketizer();
    case 'H264':
      return new H264Depacketizer();
    case 'OPUS':
      return new OpusDepacketizer();
  }
}

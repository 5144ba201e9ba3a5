import { MediaNode, type MediaPacket, RTP_MEDIA_TYPES } from '../graph/index.js';

/** What a Composite port's node asks of the mixer it belongs to. */
export interface CompositeMixerLink {
  receive(port: CompositePortNode, mediaType: 'AUDIO' | 'VIDEO', packet: MediaPacket): void;
  requestKeyframe(): void;
  receiverBitrateChanged(): void;
}

/**
 * The graph side of a Composite's HubPort: audio and video that enter the port go to the mixer;
 * what leaves it is the mixer's output for this port (the grid, and every other port's voice).
 * Keyframe requests and receiver estimates of the port's receivers go to the mixer's encoder.
 * Data-channel messages are not mixed (as in Kurento): they stop at the port.
 */
export class CompositePortNode extends MediaNode {
  constructor(mixer: CompositeMixerLink) {
    super({ name: 'HubPort' });
    for (const mediaType of RTP_MEDIA_TYPES) {
      const kind = mediaType as 'AUDIO' | 'VIDEO';
      this.sink(mediaType).onRtp = (packet) => mixer.receive(this, kind, packet);
      const source = this.source(mediaType);
      if (mediaType === 'VIDEO') {
        source.onKeyframeRequest = () => mixer.requestKeyframe();
        source.onReceiverBitrate = () => mixer.receiverBitrateChanged();
      }
    }
  }
}

import { MediaNode, type MediaNodeOptions } from './MediaNode.js';
import { MEDIA_TYPES } from './MediaType.js';

/**
 * A node that sends what it consumes: the graph side of Kurento's PassThrough. Every codec is
 * accepted (payload types are kept; the final sink maps them), and keyframe requests and
 * receiver bitrate estimates from its sinks travel on to its own source. Its sink side still makes the stream continuous, so
 * switching the PassThrough's source does not disturb anything downstream.
 */
export class PassThroughNode extends MediaNode {
  constructor(options: MediaNodeOptions = {}) {
    super({ name: 'PassThrough', ...options });
    for (const mediaType of MEDIA_TYPES) {
      const sinkPad = this.sink(mediaType);
      const sourcePad = this.source(mediaType);
      sinkPad.onRtp = (packet) => sourcePad.pushRtp(packet);
      sinkPad.onData = (message) => sourcePad.pushData(message);
      sourcePad.onKeyframeRequest = () => sinkPad.requestKeyframe();
      sourcePad.onReceiverBitrate = (bitrate) => sinkPad.reportReceiverBitrate(bitrate);
    }
  }
}

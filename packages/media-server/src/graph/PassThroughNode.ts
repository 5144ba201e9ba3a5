import { MediaNode, type MediaNodeOptions } from './MediaNode.js';
import { MEDIA_TYPES, type MediaType } from './MediaType.js';

/**
 * Makes `node` send what it consumes of `mediaType`: packets and data go from its sink pad to
 * its source pad, keyframe requests and receiver bitrate estimates the other way.
 */
export function passThrough(node: MediaNode, mediaType: MediaType): void {
  const sinkPad = node.sink(mediaType);
  const sourcePad = node.source(mediaType);
  sourcePad.forwardsMedia = true;
  sinkPad.onRtp = (packet) => sourcePad.pushRtp(packet);
  sinkPad.onData = (message) => sourcePad.pushData(message);
  sourcePad.onKeyframeRequest = () => sinkPad.requestKeyframe();
  sourcePad.onReceiverBitrate = (bitrate) => sinkPad.reportReceiverBitrate(bitrate);
}

/**
 * A node that sends what it consumes: the graph side of Kurento's PassThrough. Every codec is
 * accepted (payload types are kept; the final sink maps them), and keyframe requests and
 * receiver bitrate estimates from its sinks travel on to its own source. Its sink side still
 * makes the stream continuous, so switching the PassThrough's source does not disturb anything
 * downstream.
 */
export class PassThroughNode extends MediaNode {
  constructor(options: MediaNodeOptions = {}) {
    super({ name: 'PassThrough', ...options });
    for (const mediaType of MEDIA_TYPES) passThrough(this, mediaType);
  }
}

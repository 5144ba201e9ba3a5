import { runGuarded } from './listenerFailure.js';
import type { MediaCodec } from './MediaCodec.js';
import type { MediaFlowMeter } from './MediaFlowMeter.js';
import type { MediaNode } from './MediaNode.js';
import type { DataMessage, MediaPacket } from './MediaPacket.js';
import type { MediaSinkPad } from './MediaSinkPad.js';
import type { MediaType } from './MediaType.js';
import { LayerBitrates } from './SimulcastLayers.js';
import { VideoFrameMeter } from './VideoFrameMeter.js';

/**
 * Keyframe requests from every sink of a source are merged to at most one per this interval: a
 * keyframe costs the sender many times a normal frame, and one keyframe serves every sink.
 */
export const KEYFRAME_REQUEST_INTERVAL_MS = 500;

/**
 * The source side of a node for one media type: what the element produces. The element pushes
 * packets into it; the graph hands each packet to every linked sink pad, synchronously.
 */
export class MediaSourcePad {
  /** The node this pad belongs to. */
  readonly node: MediaNode;
  /** The media type it produces. */
  readonly mediaType: MediaType;
  /**
   * Set by the element that produces the media: asks its sender for a keyframe (an RTCP PLI to a
   * browser, an intra frame from a player). Requests from sinks arrive here already throttled to
   * one per {@link KEYFRAME_REQUEST_INTERVAL_MS}; a request inside the interval is delayed, not
   * lost.
   */
  onKeyframeRequest: (() => void) | undefined;
  /**
   * Set by the element that produces the media: called with the lowest bitrate its sinks'
   * receivers take ({@link receiverBitrate}) whenever one of them reports or a sink comes or
   * goes. A browser publisher turns it into REMB; a forwarding element reports it upstream.
   */
  onReceiverBitrate: ((bitsPerSecond: number | undefined) => void) | undefined;

  /**
   * Set by the element that produces the media, once it knows: the codecs it may send, its
   * preferred first (a WebRTC publisher's negotiated receive codecs). Lets a link whose sink
   * shares none of them be refused at connect time when transcoding is off.
   */
  codecs: readonly MediaCodec[] | undefined;

  /**
   * Set by elements that pass on what they receive (PassThrough, hub ports): the packets they
   * push keep the time they entered the pipeline instead of entering it here.
   */
  forwardsMedia = false;

  /** The video frames this pad sent (VIDEO pads, the lowest simulcast layer; for stats). */
  readonly frames = new VideoFrameMeter();

  #sinks: readonly MediaSinkPad[] = [];
  readonly #transcodings = new Set<string>();
  readonly #flow: MediaFlowMeter;
  readonly #layers = new LayerBitrates();
  #lastKeyframeRequestAtMs = Number.NEGATIVE_INFINITY;
  #delayedKeyframeRequest: NodeJS.Timeout | undefined;

  /**
   * Created by {@link MediaNode}; elements get theirs with `node.source(mediaType)`.
   * @internal
   */
  constructor(node: MediaNode, mediaType: MediaType, flow: MediaFlowMeter) {
    this.node = node;
    this.mediaType = mediaType;
    this.#flow = flow;
  }

  /** The sink pads this source feeds, in link order. */
  get sinks(): readonly MediaSinkPad[] {
    return this.#sinks;
  }

  /** Whether media left within the node's flow timeout (Kurento's `isMediaFlowingOut`). */
  get isFlowing(): boolean {
    return this.#flow.state === 'FLOWING';
  }

  /**
   * The bitrate of each simulcast layer this pad sent over the last second (index = layer, 0
   * for a silent one); empty unless the element produces layers ({@link MediaPacket.layer}).
   */
  get layerBitrates(): readonly number[] {
    return this.#layers.bitrates;
  }

  /** The names of the transcoders converting this pad's stream now (Kurento's binNames). */
  get transcodings(): ReadonlySet<string> {
    return this.#transcodings;
  }

  /** Called by the processing plane when a transcoder of this pad's stream starts or stops. */
  setTranscoding(binName: string, transcoding: boolean): void {
    if (this.#transcodings.has(binName) === transcoding) return;
    if (transcoding) this.#transcodings.add(binName);
    else this.#transcodings.delete(binName);
    this.node.reportTranscoding({ mediaType: this.mediaType, transcoding, binName });
  }

  /** Sends an RTP packet produced by the element to every linked sink (AUDIO and VIDEO pads). */
  pushRtp(packet: MediaPacket): void {
    if (this.node.released) return;
    this.#flow.count();
    if (this.mediaType === 'VIDEO' || this.node.latencyStats || packet.layer !== undefined) {
      this.#measure(packet);
    }
    for (const sink of this.#sinks) sink.deliverRtp(packet);
  }

  #measure(packet: MediaPacket): void {
    const nowMs = performance.now();
    if (packet.layer !== undefined) this.#layers.count(packet.layer, packet.payload.length, nowMs);
    // Simulcast layers carry the same pictures: the lowest one is counted.
    if (this.mediaType === 'VIDEO' && !packet.layer) this.frames.count(packet, nowMs);
    if (this.node.latencyStats && !this.forwardsMedia) packet.enteredAtMs = nowMs;
  }

  /** Sends a data-channel message produced by the element to every linked sink (DATA pads). */
  pushData(message: DataMessage): void {
    if (this.node.released) return;
    this.#flow.count();
    for (const sink of this.#sinks) sink.deliverData(message);
  }

  /** Asks the element for a keyframe, at most once per {@link KEYFRAME_REQUEST_INTERVAL_MS}. */
  requestKeyframe(): void {
    if (this.mediaType !== 'VIDEO' || this.node.released || this.#delayedKeyframeRequest) return;
    const waitMs = this.#lastKeyframeRequestAtMs + KEYFRAME_REQUEST_INTERVAL_MS - performance.now();
    if (waitMs <= 0) {
      this.#forwardKeyframeRequest();
      return;
    }
    this.#delayedKeyframeRequest = setTimeout(() => {
      this.#delayedKeyframeRequest = undefined;
      this.#forwardKeyframeRequest();
    }, waitMs);
    this.#delayedKeyframeRequest.unref();
  }

  /**
   * The media this pad sends now comes from another stream (a hub switched what its port
   * forwards): every linked sink starts over as on a new link.
   */
  restartStream(): void {
    for (const sink of this.#sinks) sink.restartStream();
  }

  /** The lowest recent bitrate estimate among the receivers of the linked sinks, if any. */
  receiverBitrate(nowMs = performance.now()): number | undefined {
    let lowest: number | undefined;
    for (const sink of this.#sinks) {
      const bitrate = sink.receiverBitrate(nowMs);
      if (bitrate !== undefined && (lowest === undefined || bitrate < lowest)) lowest = bitrate;
    }
    return lowest;
  }

  /** Called by a linked sink pad that got a new estimate from its receiver. */
  receiverBitrateChanged(): void {
    const forward = this.onReceiverBitrate;
    if (forward) runGuarded('receiver bitrate', () => forward(this.receiverBitrate()));
  }

  /** Graph bookkeeping, called by {@link MediaNode.connect}. Copy-on-write keeps pushes safe. */
  addSink(sink: MediaSinkPad): void {
    this.#sinks = [...this.#sinks, sink];
    if (sink.receiverBitrate() !== undefined) this.receiverBitrateChanged();
  }

  /** Graph bookkeeping, called by {@link MediaNode.disconnect}. */
  removeSink(sink: MediaSinkPad): void {
    this.#sinks = this.#sinks.filter((linked) => linked !== sink);
    if (sink.receiverBitrate() !== undefined) this.receiverBitrateChanged();
  }

  /** Stops timers; called when the node is released. */
  close(): void {
    clearTimeout(this.#delayedKeyframeRequest);
    this.#delayedKeyframeRequest = undefined;
    this.#flow.stop();
    this.onKeyframeRequest = undefined;
    this.onReceiverBitrate = undefined;
  }

  #forwardKeyframeRequest(): void {
    if (this.node.released) return;
    this.#lastKeyframeRequestAtMs = performance.now();
    const forward = this.onKeyframeRequest;
    if (forward) runGuarded('keyframe request', forward);
  }
}

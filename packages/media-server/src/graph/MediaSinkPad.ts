import { randomInt } from 'node:crypto';
import type { CodecAdaptation } from './CodecAdapter.js';
import { MediaGraphError } from './errors.js';
import { isKeyframeStart } from './keyframe.js';
import { LatencyAverage } from './LatencyAverage.js';
import { describeCodec, isCodecCompatible, type MediaCodec } from './MediaCodec.js';
import type { MediaFlowMeter } from './MediaFlowMeter.js';
import type { MediaNode } from './MediaNode.js';
import type { DataMessage, MediaPacket } from './MediaPacket.js';
import type { MediaSourcePad } from './MediaSourcePad.js';
import type { MediaType } from './MediaType.js';
import { RtpStreamRewriter } from './RtpStreamRewriter.js';
import { chooseLayer } from './SimulcastLayers.js';
import { VideoFrameMeter } from './VideoFrameMeter.js';

/** While a sink waits for a keyframe, it repeats its request this often. */
const KEYFRAME_RETRY_INTERVAL_MS = 1000;

/** How often a sink fed simulcast reconsiders which layer its receiver should get. */
const LAYER_CHOICE_INTERVAL_MS = 500;

/**
 * A receiver bitrate estimate older than this is forgotten: browsers repeat their REMB about
 * every second, so silence this long means the receiver is gone or stopped estimating.
 */
export const RECEIVER_BITRATE_LIFETIME_MS = 5000;

/**
 * The sink side of a node for one media type: what the element consumes. It has at most one
 * source at a time. Between that source and the element it turns whatever the source sends into
 * one continuous stream the element's receiver accepts: own SSRC, continuous sequence numbers
 * and timestamps across source switches ({@link RtpStreamRewriter}), payload types of the
 * element's own negotiation, and, after a switch, video only from the next keyframe on (so the
 * receiver never decodes one source's frames against another's reference pictures).
 *
 * From a simulcast source it forwards one layer: the best that fits its receiver's bandwidth
 * estimate ({@link reportReceiverBitrate}), switching layers at a keyframe of the new one.
 */
export class MediaSinkPad {
  /** The node this pad belongs to. */
  readonly node: MediaNode;
  /** The media type it consumes. */
  readonly mediaType: MediaType;
  /** Fixes the SSRC, sequence numbers and timestamps the element sends. */
  readonly rewriter: RtpStreamRewriter;
  /**
   * Set by the element: receives the rewritten RTP packets. The packet object is reused for the
   * next packet: copy what you keep (see {@link MediaPacket}).
   */
  onRtp: ((packet: MediaPacket) => void) | undefined;
  /** Set by the element: receives data-channel messages (DATA pads). */
  onData: ((message: DataMessage) => void) | undefined;
  /** The video frames this pad handed to its element (VIDEO pads; counted for stats). */
  readonly frames = new VideoFrameMeter();
  /**
   * How long the packets this pad hands to its element took since they entered the pipeline
   * (Kurento's input latency), while the node measures latency.
   */
  readonly inputLatency = new LatencyAverage();
  /**
   * How long they took until the element was done with them: sent to its peer, written, or
   * passed on (Kurento's end-to-end latency, for endpoints), while the node measures latency.
   */
  readonly outputLatency = new LatencyAverage();

  #source: MediaSourcePad | undefined;
  #negotiatedCodecs: readonly MediaCodec[] | undefined;
  #lastInputCodec: MediaCodec | undefined;
  #lastOutputCodec: MediaCodec | null = null;
  #reportedCodecs = new WeakSet<MediaCodec>();
  /** A conversion of the source's stream into a codec of ours, while the source sends another. */
  #adaptation: ActiveAdaptation | undefined;
  #awaitingKeyframe = false;
  #lastKeyframeAskAtMs = 0;
  #receiverBitrate: number | undefined;
  #receiverBitrateAtMs = 0;
  /** The simulcast layer being forwarded, and the one to move to at its next keyframe. */
  #currentLayer: number | undefined;
  #targetLayer: number | undefined;
  #nextLayerChoiceAtMs = 0;
  readonly #flow: MediaFlowMeter;
  readonly #output: MediaPacket;

  /**
   * Created by {@link MediaNode}; elements get theirs with `node.sink(mediaType)`.
   * @internal
   */
  constructor(node: MediaNode, mediaType: MediaType, flow: MediaFlowMeter) {
    this.node = node;
    this.mediaType = mediaType;
    this.#flow = flow;
    this.rewriter = new RtpStreamRewriter(randomInt(1, 0xffffffff));
    this.#output = {
      payloadType: 0,
      sequenceNumber: 0,
      timestamp: 0,
      ssrc: this.rewriter.ssrc,
      marker: false,
      payload: Buffer.alloc(0),
      codec: { mimeType: '', payloadType: 0, clockRate: 0 },
    };
  }

  /** The source pad currently feeding this sink. */
  get source(): MediaSourcePad | undefined {
    return this.#source;
  }

  /** Whether media arrived within the node's flow timeout (Kurento's `isMediaFlowingIn`). */
  get isFlowing(): boolean {
    return this.#flow.state === 'FLOWING';
  }

  /**
   * The codecs the element may send, in its order of preference, with the payload types of its
   * own negotiation. Media in any other codec is dropped and reported once as a `mediaerror`
   * (CODEC_NOT_NEGOTIATED) on the node. An empty list drops everything silently (the element
   * sends no such media, e.g. a recvonly endpoint). `undefined`, the default, accepts every
   * codec and keeps its payload type (pass-through elements, recorders).
   */
  setNegotiatedCodecs(codecs: readonly MediaCodec[] | undefined): void {
    this.#endAdaptation();
    this.#negotiatedCodecs = codecs;
    this.#lastInputCodec = undefined;
    this.#reportedCodecs = new WeakSet();
  }

  /** The codecs given to `setNegotiatedCodecs`; undefined: any codec passes. */
  get negotiatedCodecs(): readonly MediaCodec[] | undefined {
    return this.#negotiatedCodecs;
  }

  /**
   * Asks the linked source for a keyframe: call it when the element's receiver lost a picture
   * (RTCP PLI or FIR from a browser) or (re)connects. Throttled at the source.
   */
  requestKeyframe(): void {
    this.#lastKeyframeAskAtMs = performance.now();
    if (this.#adaptation) this.#adaptation.handle.requestKeyframe();
    else this.#source?.requestKeyframe();
  }

  /** Whether what this sink forwards is converted from another codec (see CodecAdapter). */
  get adapted(): boolean {
    return this.#adaptation !== undefined;
  }

  /**
   * Reports the bitrate, in bit/s, that the element's receiver takes for this media (e.g. the
   * REMB estimate of the browser it sends to), or undefined when it has none. Sources learn the
   * lowest estimate among their sinks ({@link MediaSourcePad.receiverBitrate}), so a publisher
   * can be told what its subscribers receive. Report it regularly: an estimate older than
   * {@link RECEIVER_BITRATE_LIFETIME_MS} is forgotten.
   */
  reportReceiverBitrate(bitsPerSecond: number | undefined): void {
    this.#receiverBitrate = bitsPerSecond;
    this.#receiverBitrateAtMs = performance.now();
    this.#source?.receiverBitrateChanged();
  }

  /** The last bitrate reported by the element's receiver, unless it is too old. */
  receiverBitrate(nowMs = performance.now()): number | undefined {
    if (nowMs - this.#receiverBitrateAtMs > RECEIVER_BITRATE_LIFETIME_MS) return undefined;
    return this.#receiverBitrate;
  }

  /** The simulcast layer this sink forwards, if its source sends layers. */
  get layer(): number | undefined {
    return this.#currentLayer;
  }

  /** Called by the linked source pad for each packet (hot path). */
  deliverRtp(packet: MediaPacket): void {
    this.#flow.count();
    const consume = this.onRtp;
    if (!consume) return;
    const codec = this.#outputCodec(packet.codec);
    if (!codec) return;
    if (packet.layer !== undefined && !this.#isForwardedLayer(packet)) return;
    if (this.#awaitingKeyframe && !this.#isResumePoint(packet)) return;
    this.#forward(packet, codec);
  }

  /**
   * Called by the conversion this sink uses (see {@link CodecAdapter}) for each converted packet;
   * it is forwarded like a packet of the source's own (hot path).
   */
  deliverAdaptedRtp(packet: MediaPacket): void {
    const adaptation = this.#adaptation;
    if (!adaptation || !this.onRtp) return;
    if (this.#awaitingKeyframe && !this.#isResumePoint(packet)) return;
    // The conversion ran in another process: its output enters the pipeline anew.
    if (this.node.latencyStats) packet.enteredAtMs = performance.now();
    this.#forward(packet, adaptation.sends);
  }

  #forward(packet: MediaPacket, codec: MediaCodec): void {
    const consume = this.onRtp;
    if (!consume) return;
    const nowMs = performance.now();
    if (!this.rewriter.rewrite(packet, codec.clockRate, nowMs)) return;
    const output = this.#output;
    output.payloadType = codec === packet.codec ? packet.payloadType : codec.payloadType;
    output.sequenceNumber = this.rewriter.sequenceNumber;
    output.timestamp = this.rewriter.timestamp;
    output.marker = packet.marker;
    output.payload = packet.payload;
    output.codec = codec;
    output.enteredAtMs = packet.enteredAtMs;
    if (this.mediaType === 'VIDEO') this.frames.count(output, nowMs);
    const enteredAtMs = this.node.latencyStats ? packet.enteredAtMs : undefined;
    if (enteredAtMs === undefined) {
      consume(output);
      return;
    }
    this.inputLatency.add(nowMs - enteredAtMs);
    consume(output);
    this.outputLatency.add(performance.now() - enteredAtMs);
  }

  /** Called by the linked source pad for each data-channel message. */
  deliverData(message: DataMessage): void {
    this.#flow.count();
    this.onData?.(message);
  }

  /** Graph bookkeeping, called by {@link MediaNode.connect}: a new source starts. */
  attach(source: MediaSourcePad): void {
    this.#source = source;
    this.#lastInputCodec = undefined;
    this.#reportedCodecs = new WeakSet();
    this.restartStream();
  }

  /**
   * What arrives from now on belongs to another stream (a new source, or a hub that switched
   * what its port forwards): continue the numbering from here and, for video, forward nothing
   * until a keyframe, which is asked for at once.
   */
  restartStream(): void {
    this.rewriter.switchSource();
    this.#currentLayer = undefined;
    this.#targetLayer = undefined;
    this.#nextLayerChoiceAtMs = 0;
    if (this.mediaType === 'VIDEO') {
      this.#awaitingKeyframe = true;
      this.requestKeyframe();
    }
  }

  /** Graph bookkeeping, called by {@link MediaNode.disconnect}. */
  detach(): void {
    this.#endAdaptation();
    this.#source = undefined;
  }

  /** Stops flow detection; called when the node is released. */
  close(): void {
    this.#endAdaptation();
    this.#flow.stop();
    this.onRtp = undefined;
    this.onData = undefined;
  }

  /**
   * The codec to send `input` as, or null to drop it. Cached on the input codec's identity: a
   * stream's codec object changes only when its producer renegotiates or switches codec.
   */
  #outputCodec(input: MediaCodec): MediaCodec | null {
    if (input === this.#lastInputCodec) return this.#lastOutputCodec;
    const negotiated = this.#negotiatedCodecs;
    const output = negotiated
      ? (negotiated.find((candidate) => isCodecCompatible(input, candidate)) ?? null)
      : input;
    if (output !== null) this.#endAdaptation();
    else if (negotiated && negotiated.length > 0) this.#adapt(input, negotiated);
    this.#lastInputCodec = input;
    this.#lastOutputCodec = output;
    return output;
  }

  /** The source sends a codec we did not negotiate: ask for a conversion, or report it. */
  #adapt(input: MediaCodec, negotiated: readonly MediaCodec[]): void {
    if (this.#adaptation?.input === input) return;
    this.#endAdaptation();
    const adapter = this.node.codecAdapter;
    const source = this.#source;
    if (!adapter || !source) {
      this.#reportMismatch(input, negotiated);
      return;
    }
    try {
      const handle = adapter.adapt(source, input, negotiated, this);
      const sends = negotiated.find((candidate) => isCodecCompatible(handle.output, candidate));
      if (!sends) {
        handle.release();
        this.#reportMismatch(input, negotiated);
        return;
      }
      this.#adaptation = { input, handle, sends };
      this.rewriter.switchSource();
      if (this.mediaType === 'VIDEO') this.#awaitingKeyframe = true;
    } catch (error) {
      if (!(error instanceof MediaGraphError)) throw error;
      if (this.#reportedCodecs.has(input)) return;
      this.#reportedCodecs.add(input);
      this.node.reportError(error);
    }
  }

  #endAdaptation(): void {
    const adaptation = this.#adaptation;
    if (!adaptation) return;
    this.#adaptation = undefined;
    this.#lastInputCodec = undefined;
    adaptation.handle.release();
    this.rewriter.switchSource();
  }

  /**
   * The conversion this sink used stopped working (its process died): forward nothing in that
   * codec until the link is made again, and report why.
   */
  adaptationFailed(error: MediaGraphError): void {
    const adaptation = this.#adaptation;
    if (!adaptation) return;
    this.#adaptation = undefined;
    this.#reportedCodecs.add(adaptation.input);
    this.#lastInputCodec = adaptation.input;
    this.#lastOutputCodec = null;
    this.node.reportError(error);
  }

  #reportMismatch(input: MediaCodec, negotiated: readonly MediaCodec[]): void {
    if (this.#reportedCodecs.has(input)) return;
    this.#reportedCodecs.add(input);
    const accepted = negotiated.map(describeCodec).join(', ');
    const error = new MediaGraphError(
      'CODEC_NOT_NEGOTIATED',
      `${this.mediaType} arrives as ${describeCodec(input)} but this element's peer negotiated only ${accepted}; ` +
        'the media is dropped (no transcoding). Make both peers offer a common codec, e.g. VP8 for video and Opus for audio.',
      this.mediaType,
    );
    this.node.reportError(error);
  }

  /**
   * Whether a packet of a simulcast source belongs to the layer this sink forwards. Moving to
   * another layer waits for a keyframe of it (asked for when the choice changes, and again
   * every second); until then the current layer goes on.
   */
  #isForwardedLayer(packet: MediaPacket): boolean {
    const now = performance.now();
    if (now >= this.#nextLayerChoiceAtMs) this.#chooseLayer(now);
    if (packet.layer === this.#currentLayer) return true;
    if (packet.layer !== this.#targetLayer) return false;
    if (isKeyframeStart(packet.codec, packet.payload) === false) {
      if (now - this.#lastKeyframeAskAtMs >= KEYFRAME_RETRY_INTERVAL_MS) this.requestKeyframe();
      return false;
    }
    this.#currentLayer = packet.layer;
    this.rewriter.switchSource();
    return true;
  }

  #chooseLayer(nowMs: number): void {
    this.#nextLayerChoiceAtMs = nowMs + LAYER_CHOICE_INTERVAL_MS;
    const layers = this.#source?.layerBitrates ?? [];
    const target = chooseLayer(layers, this.receiverBitrate(nowMs), this.#currentLayer) ?? 0;
    if (target === this.#targetLayer) return;
    this.#targetLayer = target;
    if (target !== this.#currentLayer) this.requestKeyframe();
  }

  /** Whether to resume forwarding at this packet after a switch; asks again while waiting. */
  #isResumePoint(packet: MediaPacket): boolean {
    const keyframe = isKeyframeStart(packet.codec, packet.payload);
    if (keyframe !== false) {
      this.#awaitingKeyframe = false;
      return true;
    }
    if (performance.now() - this.#lastKeyframeAskAtMs >= KEYFRAME_RETRY_INTERVAL_MS)
      this.requestKeyframe();
    return false;
  }
}

interface ActiveAdaptation {
  /** The source's codec being converted. */
  readonly input: MediaCodec;
  readonly handle: CodecAdaptation;
  /** Our negotiated codec the converted packets go out as. */
  readonly sends: MediaCodec;
}

import {
  type MediaStreamTrack,
  type RTCRtpCodecParameters,
  type RTCRtpTransceiver,
  RtpHeader,
  RtpPacket,
} from 'werift';
import type {
  MediaCodec,
  MediaNode,
  MediaPacket,
  MediaSinkPad,
  MediaSourcePad,
} from '../graph/index.js';
import { guarded } from '../graph/listenerFailure.js';
import { toMediaCodec } from './codecPolicy.js';

const PAYLOAD_TYPES = 128;

/**
 * Joins one werift transceiver (the audio or the video of a peer connection) to the node's pads
 * of that media type: RTP from the peer goes into the source pad, RTP from the sink pad goes to
 * the peer, and keyframe requests travel both ways.
 */
export class TransceiverBinding {
  readonly transceiver: RTCRtpTransceiver;
  readonly #source: MediaSourcePad;
  readonly #sink: MediaSinkPad;
  #codecsByPayloadType: (MediaCodec | undefined)[] = [];
  #sendCodecs = new Map<MediaCodec, RTCRtpCodecParameters>();
  #remoteSsrc: number | undefined;
  #receiving = false;
  readonly #unsubscribers: (() => void)[] = [];
  /** Reused for every received packet: the graph copies what it keeps (see MediaPacket). */
  readonly #incoming: MediaPacket = {
    payloadType: 0,
    sequenceNumber: 0,
    timestamp: 0,
    ssrc: 0,
    marker: false,
    payload: Buffer.alloc(0),
    codec: { mimeType: '', payloadType: 0, clockRate: 0 },
  };

  constructor(node: MediaNode, transceiver: RTCRtpTransceiver) {
    this.transceiver = transceiver;
    const mediaType = transceiver.kind === 'audio' ? 'AUDIO' : 'VIDEO';
    this.#source = node.source(mediaType);
    this.#sink = node.sink(mediaType);
  }

  /** The SSRC werift sends with (for matching RTCP feedback from the peer). */
  get senderSsrc(): number {
    return this.transceiver.sender.ssrc;
  }

  /**
   * Takes the negotiated codecs and directions into account; called once the offer/answer
   * exchange is complete.
   */
  onNegotiated(): void {
    const direction = this.transceiver.currentDirection ?? 'inactive';
    const codecs = this.transceiver.codecs.map((codec) => ({
      werift: codec,
      graph: toMediaCodec(codec),
    }));
    this.#codecsByPayloadType = new Array(PAYLOAD_TYPES);
    for (const { werift, graph } of codecs) this.#codecsByPayloadType[werift.payloadType] = graph;
    this.#sendCodecs = new Map(codecs.map(({ werift, graph }) => [graph, werift]));
    this.#receiving = direction === 'sendrecv' || direction === 'recvonly';
    const sending = direction === 'sendrecv' || direction === 'sendonly';
    this.#sink.setNegotiatedCodecs(sending ? codecs.map(({ graph }) => graph) : []);
    this.#sink.onRtp = sending ? (packet) => this.#send(packet) : undefined;
    this.#source.onKeyframeRequest = this.#receiving
      ? () => this.#sendPictureLossIndication()
      : undefined;
  }

  /** Receives the peer's media on `track` (werift announces it while applying the SDP). */
  attachTrack(track: MediaStreamTrack): void {
    const { unSubscribe } = track.onReceiveRtp.subscribe(
      guarded('received RTP', (rtp) => this.#receive(rtp)),
    );
    this.#unsubscribers.push(unSubscribe);
  }

  /** Whether `track` belongs to this transceiver. */
  owns(track: MediaStreamTrack): boolean {
    return (
      this.transceiver.receiver.track === track || this.transceiver.receiver.tracks.includes(track)
    );
  }

  /** The peer lost a picture (PLI or FIR for our SSRC): ask our source for a keyframe. */
  onPeerKeyframeRequest(): void {
    this.#sink.requestKeyframe();
  }

  dispose(): void {
    for (const unsubscribe of this.#unsubscribers.splice(0)) unsubscribe();
    this.#sink.onRtp = undefined;
    this.#source.onKeyframeRequest = undefined;
  }

  #receive(rtp: RtpPacket): void {
    if (!this.#receiving) return;
    const header = rtp.header;
    const codec = this.#codecsByPayloadType[header.payloadType];
    if (!codec) return;
    this.#remoteSsrc = header.ssrc;
    const packet = this.#incoming;
    packet.payloadType = header.payloadType;
    packet.sequenceNumber = header.sequenceNumber;
    packet.timestamp = header.timestamp;
    packet.ssrc = header.ssrc;
    packet.marker = header.marker;
    packet.payload = rtp.payload;
    packet.codec = codec;
    this.#source.pushRtp(packet);
  }

  #send(packet: MediaPacket): void {
    const codec = this.#sendCodecs.get(packet.codec);
    if (!codec) return;
    const sender = this.transceiver.sender;
    // werift stamps every packet with `sender.codec`; point it at the codec of this packet.
    if (sender.codec !== codec) sender.codec = codec;
    const header = new RtpHeader({
      payloadType: codec.payloadType,
      sequenceNumber: packet.sequenceNumber,
      timestamp: packet.timestamp,
      ssrc: sender.ssrc,
      marker: packet.marker,
    });
    sender.sendRtp(new RtpPacket(header, packet.payload)).catch(ignoreSendFailure);
  }

  #sendPictureLossIndication(): void {
    if (this.#remoteSsrc === undefined) return;
    this.transceiver.receiver.sendRtcpPLI(this.#remoteSsrc).catch(ignoreSendFailure);
  }
}

/** A packet that cannot be sent (transport closing) is lost like any packet on the network. */
function ignoreSendFailure(): void {}

import {
  type MediaStreamTrack,
  type RTCRtpCodecParameters,
  type RTCRtpTransceiver,
  type RtcpPacket,
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
import { DirectRtpSender } from './DirectRtpSender.js';
import { RembScheduler } from './RembScheduler.js';
import { RtpPacketHistory } from './RtpPacketHistory.js';
import type { RtpTraffic } from './RtpTraffic.js';
import { createRemb, genericNackOf } from './rtcpFeedback.js';
import { separateNackGenerators, simulcastLayerOf } from './simulcast.js';
import type { NativeSrtpBinding } from './srtp/nativeSrtpBinding.js';
import type { SrtpWorkerPool } from './srtp/SrtpWorkerPool.js';
import { receiverInternals, senderInternals } from './weriftInternals.js';

const PAYLOAD_TYPES = 128;

/**
 * A packet is resent at most once per this interval, however often it is NACKed: a receiver
 * repeats its NACK until the packet arrives, and the first copy may still be on its way.
 */
const MIN_RETRANSMIT_INTERVAL_MS = 10;

/** What the binding did about feedback from its peer, for stats. */
export interface FeedbackCounters {
  /** Generic NACKs received for the stream this binding sends. */
  nackCount: number;
  retransmittedPacketsSent: number;
  retransmittedBytesSent: number;
  /** The last REMB estimate the peer sent for our stream (bit/s). */
  rembReceived: number | undefined;
  /** The last REMB we sent the peer for its stream (bit/s). */
  rembSent: number | undefined;
  /** Keyframe requests (PLI, FIR) the peer sent for the stream this binding sends. */
  pliReceived: number;
  firReceived: number;
}

export interface TransceiverBindingOptions {
  /** Resend NACKed packets from a history of sent ones (see WebRtcTransportOptions). */
  readonly answerNacks: boolean;
  /** Send through werift's RTCRtpSender instead of the direct path (see DirectRtpSender). */
  readonly weriftSendPath?: boolean | undefined;
  /** Worker threads that encrypt outgoing media; none encrypts on this thread. */
  readonly srtpWorkers?: SrtpWorkerPool | undefined;
  /** The native SRTP addon, when the direct path sends through it. */
  readonly nativeSrtp?: NativeSrtpBinding | undefined;
}

/**
 * Joins one werift transceiver (the audio or the video of a peer connection) to the node's pads
 * of that media type: RTP from the peer goes into the source pad, RTP from the sink pad goes to
 * the peer, and keyframe requests travel both ways. For video it also answers the peer's NACKs
 * from a history of what it sent, reports the peer's REMB estimate to the graph, and tells the
 * peer, by REMB, the lowest estimate of the receivers its media reaches.
 */
export class TransceiverBinding {
  readonly transceiver: RTCRtpTransceiver;
  readonly counters: FeedbackCounters = {
    nackCount: 0,
    retransmittedPacketsSent: 0,
    retransmittedBytesSent: 0,
    rembReceived: undefined,
    rembSent: undefined,
    pliReceived: 0,
    firReceived: 0,
  };
  readonly #options: TransceiverBindingOptions;
  readonly #source: MediaSourcePad;
  readonly #sink: MediaSinkPad;
  #history: RtpPacketHistory | undefined;
  /** Undefined until DTLS is up; null when the SRTP profile needs werift's own send path. */
  #direct: DirectRtpSender | null | undefined;
  readonly #remb = new RembScheduler((bitrate) => this.#sendRemb(bitrate));
  #codecsByPayloadType: (MediaCodec | undefined)[] = [];
  #sendCodecs = new Map<MediaCodec, RTCRtpCodecParameters>();
  /** The peer's SSRC per simulcast layer (a single stream is layer 0). */
  readonly #remoteSsrcs: number[] = [];
  #receiving = false;
  readonly #attachedTracks = new Set<MediaStreamTrack>();
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

  constructor(node: MediaNode, transceiver: RTCRtpTransceiver, options: TransceiverBindingOptions) {
    this.transceiver = transceiver;
    this.#options = options;
    const mediaType = transceiver.kind === 'audio' ? 'AUDIO' : 'VIDEO';
    this.#source = node.source(mediaType);
    this.#sink = node.sink(mediaType);
    ignoreWeriftNackAnswers(transceiver);
  }

  /** The SSRC werift sends with (for matching RTCP feedback from the peer). */
  get senderSsrc(): number {
    return this.transceiver.sender.ssrc;
  }

  /** The SSRC the peer sends with (its lowest simulcast layer), once its first packet arrived. */
  get receiverSsrc(): number | undefined {
    return this.#remoteSsrcs.find((ssrc) => ssrc !== undefined);
  }

  /** Whether the peer sends this media as simulcast layers. */
  get receivesSimulcast(): boolean {
    return this.transceiver.receiver.tracks.some((track) => track.rid);
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
    this.#source.codecs = this.#receiving ? codecs.map(({ graph }) => graph) : undefined;
    const sending = direction === 'sendrecv' || direction === 'sendonly';
    this.#sink.setNegotiatedCodecs(sending ? codecs.map(({ graph }) => graph) : []);
    this.#sink.onRtp = sending ? (packet) => this.#send(packet) : undefined;
    this.#history = sending && this.#answersNacks() ? new RtpPacketHistory() : undefined;
    if (this.#receiving) this.#startReceiving();
  }

  /** Whether NACKs for what this binding sends are answered: video, NACK negotiated, allowed. */
  #answersNacks(): boolean {
    const nackNegotiated = this.transceiver.codecs.some((codec) =>
      codec.rtcpFeedback.some((feedback) => feedback.type === 'nack' && !feedback.parameter),
    );
    return this.transceiver.kind === 'video' && nackNegotiated && this.#options.answerNacks;
  }

  #startReceiving(): void {
    this.#source.onKeyframeRequest = () => this.#sendPictureLossIndication();
    const simulcast = this.receivesSimulcast;
    // A simulcast publisher is not limited to its slowest subscriber: each gets a layer.
    if (this.transceiver.kind === 'video' && !simulcast)
      this.#source.onReceiverBitrate = (estimate) => this.#remb.update(estimate);
    if (simulcast) separateNackGenerators(this.transceiver.receiver);
    // werift announces only a transceiver's first track: simulcast layers are found here.
    for (const track of this.transceiver.receiver.tracks) this.attachTrack(track);
  }

  /** Receives the peer's media on `track` (werift announces it while applying the SDP). */
  attachTrack(track: MediaStreamTrack): void {
    if (this.#attachedTracks.has(track)) return;
    this.#attachedTracks.add(track);
    const layer = simulcastLayerOf(this.transceiver, track);
    const { unSubscribe } = track.onReceiveRtp.subscribe(
      guarded('received RTP', (rtp) => this.#receive(rtp, layer)),
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
  onPeerKeyframeRequest(request: 'pli' | 'fir'): void {
    if (request === 'pli') this.counters.pliReceived++;
    else this.counters.firReceived++;
    this.#sink.requestKeyframe();
  }

  /** Adds what this binding carried to `into` (metrics read it when scraped, not per packet). */
  addTrafficTo(into: RtpTraffic): void {
    const sender = senderInternals(this.transceiver.sender);
    into.packetsSent += sender.packetCount;
    into.bytesSent += sender.octetCount;
    into.packetsLostOutbound += Math.max(0, sender.remotePacketsLost ?? 0);
    const receiver = receiverInternals(this.transceiver.receiver);
    for (const stream of Object.values(receiver.remoteStreams)) {
      into.packetsReceived += stream.packets_received;
      into.bytesReceived += stream.bytesReceived;
      into.packetsLostInbound += stream.packets_lost;
    }
    for (const count of Object.values(receiver.pliCountBySsrc)) into.plisSent += count;
    into.nacksReceived += this.counters.nackCount;
    into.retransmittedPackets += this.counters.retransmittedPacketsSent;
    into.retransmittedBytes += this.counters.retransmittedBytesSent;
    into.plisReceived += this.counters.pliReceived;
    into.firsReceived += this.counters.firReceived;
  }

  /** The peer misses packets of our stream (Generic NACK): resend those still in the history. */
  onPeerNack(sequenceNumbers: readonly number[]): void {
    this.counters.nackCount++;
    const history = this.#history;
    const dtlsTransport = this.transceiver.sender.dtlsTransport;
    if (!history || dtlsTransport?.state !== 'connected') return;
    const now = performance.now();
    for (const sequenceNumber of sequenceNumbers) {
      const sent = history.get(sequenceNumber);
      if (!sent || now - sent.retransmittedAtMs < MIN_RETRANSMIT_INTERVAL_MS) continue;
      history.markRetransmitted(sequenceNumber, now);
      this.counters.retransmittedPacketsSent++;
      this.counters.retransmittedBytesSent += sent.payload.length;
      const direct = this.#directSender();
      if (direct) {
        direct.resend(
          sent.payloadType,
          sent.sequenceNumber,
          sent.timestamp,
          sent.marker,
          sent.payload,
        );
        continue;
      }
      const header = new RtpHeader({
        payloadType: sent.payloadType,
        sequenceNumber: sent.sequenceNumber,
        timestamp: sent.timestamp,
        ssrc: this.transceiver.sender.ssrc,
        marker: sent.marker,
      });
      dtlsTransport.sendRtp(sent.payload, header).catch(ignoreSendFailure);
    }
  }

  /** The peer's estimate of the bitrate it can receive (REMB): the graph passes it upstream. */
  onPeerBitrateEstimate(bitsPerSecond: number): void {
    if (this.transceiver.kind !== 'video') return;
    this.counters.rembReceived = bitsPerSecond;
    this.#sink.reportReceiverBitrate(bitsPerSecond);
  }

  dispose(): void {
    for (const unsubscribe of this.#unsubscribers.splice(0)) unsubscribe();
    this.#sink.onRtp = undefined;
    this.#source.onKeyframeRequest = undefined;
    this.#source.onReceiverBitrate = undefined;
    this.#history = undefined;
    this.#direct?.close();
    this.#direct = undefined;
  }

  #receive(rtp: RtpPacket, layer: number | undefined): void {
    if (!this.#receiving) return;
    const header = rtp.header;
    const codec = this.#codecsByPayloadType[header.payloadType];
    if (!codec) return;
    this.#remoteSsrcs[layer ?? 0] = header.ssrc;
    const packet = this.#incoming;
    packet.payloadType = header.payloadType;
    packet.sequenceNumber = header.sequenceNumber;
    packet.timestamp = header.timestamp;
    packet.ssrc = header.ssrc;
    packet.marker = header.marker;
    packet.payload = rtp.payload;
    packet.codec = codec;
    packet.layer = layer;
    this.#source.pushRtp(packet);
  }

  #send(packet: MediaPacket): void {
    const codec = this.#sendCodecs.get(packet.codec);
    if (!codec) return;
    const sender = this.transceiver.sender;
    // A peer that is gone (DTLS closed) or not there yet costs nothing: werift would drop it too.
    if (sender.dtlsTransport?.state !== 'connected') return;
    const direct = this.#directSender();
    if (direct) {
      direct.send(
        codec.payloadType,
        packet.sequenceNumber,
        packet.timestamp,
        packet.marker,
        packet.payload,
      );
    } else {
      this.#sendThroughWerift(codec, packet);
    }
    this.#history?.store({
      sequenceNumber: packet.sequenceNumber,
      timestamp: packet.timestamp,
      payloadType: codec.payloadType,
      marker: packet.marker,
      payload: packet.payload,
    });
  }

  /** The direct send path once DTLS is up (see DirectRtpSender), or null for werift's. */
  #directSender(): DirectRtpSender | null {
    if (this.#direct?.usable === false) {
      this.#direct.close();
      this.#direct = undefined;
    }
    if (this.#direct === undefined) {
      const sender = this.transceiver.sender;
      if (sender.dtlsTransport?.state !== 'connected') return null;
      this.#direct = this.#options.weriftSendPath
        ? null
        : (DirectRtpSender.forSender(sender, {
            workers: this.#options.srtpWorkers,
            native: this.#options.nativeSrtp,
          }) ?? null);
    }
    return this.#direct;
  }

  #sendThroughWerift(codec: RTCRtpCodecParameters, packet: MediaPacket): void {
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
    // Not awaited: a slow or dead peer must never hold up the other sinks of the source.
    sender.sendRtp(new RtpPacket(header, packet.payload)).catch(ignoreSendFailure);
  }

  /**
   * Every simulcast layer is asked: browsers answer a PLI with a keyframe of that layer only,
   * and the sinks switching layers wait for one of the layer they move to.
   */
  #sendPictureLossIndication(): void {
    for (const ssrc of this.#remoteSsrcs) {
      if (ssrc === undefined) continue;
      this.transceiver.receiver.sendRtcpPLI(ssrc).catch(ignoreSendFailure);
    }
  }

  #sendRemb(bitsPerSecond: number): void {
    const receiver = this.transceiver.receiver;
    const ssrc = this.receiverSsrc;
    if (ssrc === undefined || receiver.dtlsTransport?.state !== 'connected') return;
    this.counters.rembSent = bitsPerSecond;
    const remb = createRemb(receiver.rtcpSsrc, bitsPerSecond, [ssrc]);
    receiver.dtlsTransport.sendRtcp([remb]).catch(ignoreSendFailure);
  }
}

/**
 * werift's sender answers Generic NACKs itself, from a cache of its last 128 packets (half a
 * second of 720p video, less in a keyframe burst). The binding answers them from its own, longer
 * history instead, and only when told to: werift's answers are switched off here.
 */
function ignoreWeriftNackAnswers(transceiver: RTCRtpTransceiver): void {
  const sender = transceiver.sender;
  const handleRtcpPacket = sender.handleRtcpPacket.bind(sender);
  sender.handleRtcpPacket = (packet: RtcpPacket) => {
    if (!genericNackOf(packet)) handleRtcpPacket(packet);
  };
}

/** A packet that cannot be sent (transport closing) is lost like any packet on the network. */
function ignoreSendFailure(): void {}

import {
  PictureLossIndication,
  type RTCDtlsTransport,
  RTCPeerConnection,
  type RTCRtpTransceiver,
  type RTCSessionDescription,
  type RtcpPacket,
  RtcpPayloadSpecificFeedback,
} from 'werift';
import { MediaNode, TypedEventEmitter } from '../graph/index.js';
import { guarded } from '../graph/listenerFailure.js';
import { ConnectionStates } from './ConnectionStates.js';
import { announceAddresses, candidatesOfSdp, validateRemoteCandidate } from './candidates.js';
import { DataChannelBinding } from './DataChannelBinding.js';
import { recoverLostDtlsRecords } from './dtlsHandshakeRecovery.js';
import { startDtlsOnNomination } from './dtlsOnNomination.js';
import { keepEarlyDtlsRecords } from './earlyDtlsRecords.js';
import { WebRtcTransportError } from './errors.js';
import {
  answerAsDtlsServer,
  createPeerConfig,
  disableImplicitStun,
  toWeriftIceServers,
  validateAnnouncedAddresses,
} from './peerConfig.js';
import type { RtpTrafficByKind } from './RtpTraffic.js';
import { prepareRemoteDescription, withNewIceCredentials } from './remoteDescription.js';
import { genericNackOf, nackedSequenceNumbers, rembOf } from './rtcpFeedback.js';
import { TransceiverBinding } from './TransceiverBinding.js';
import type {
  ConnectionState,
  DataChannelOptions,
  IceCandidate,
  IceServer,
  MediaState,
  TransportStatsEntry,
  WebRtcTransportEvents,
  WebRtcTransportOptions,
} from './types.js';

type Negotiation = 'new' | 'negotiating' | 'offer-generated' | 'negotiated' | 'failed';

/**
 * One WebRTC peer connection of the media server (ICE, DTLS, SRTP, SCTP through werift), seen
 * by the rest of the server as a {@link MediaNode}: media received from the peer leaves through
 * `node.source(type)`, media linked into `node.sink(type)` is sent to the peer. Connecting the
 * node to itself echoes the peer's media back (loopback).
 *
 * Negotiation follows Kurento's SdpEndpoint: either `processOffer` (peer offers) or
 * `generateOffer` then `processAnswer` (server offers), once. The server negotiates one audio
 * and one video stream (further ones are answered inactive) and, with `useDataChannels`, data
 * channels. Local candidates are emitted as `icecandidate` events by `gatherCandidates()`.
 *
 * Every input is validated: bad SDP or candidates reject with a {@link WebRtcTransportError},
 * never crash the process.
 */
export class WebRtcTransport extends TypedEventEmitter<WebRtcTransportEvents> {
  /** The graph side of this transport. */
  readonly node: MediaNode;
  readonly options: WebRtcTransportOptions;

  readonly #peerConnection: RTCPeerConnection;
  readonly #bindings: TransceiverBinding[] = [];
  readonly #dataChannels: DataChannelBinding;
  readonly #states: ConnectionStates;
  readonly #pendingCandidates: IceCandidate[] = [];
  /** The peer's end-of-candidates came before its description could take it. */
  #pendingEndOfCandidates = false;
  readonly #watchedDtlsTransports = new Set<RTCDtlsTransport>();
  #iceServers: readonly IceServer[];
  #announcedAddresses: readonly string[];
  #negotiation: Negotiation = 'new';
  /** Rejects when close() is called, so no caller waits forever on werift (see #whileOpen). */
  readonly #closedSignal: Promise<never>;
  #signalClosed: (error: WebRtcTransportError) => void = () => {};
  #remoteSdp: string | undefined;
  #gathered = false;
  /** gatherCandidates() came before any local description (see #emitRequestedCandidates). */
  #gatherOnceDescribed = false;
  /** Whether the session was negotiated by answering the peer's offer (processOffer). */
  #answered = false;
  #closed = false;

  /** @throws WebRtcTransportError INVALID_OPTIONS */
  constructor(options: WebRtcTransportOptions = {}) {
    super();
    if (options.recvonly && options.sendonly) {
      throw new WebRtcTransportError(
        'INVALID_OPTIONS',
        'recvonly and sendonly exclude each other: set at most one.',
      );
    }
    this.options = options;
    this.#closedSignal = new Promise<never>((_, reject) => {
      this.#signalClosed = reject;
    });
    this.#closedSignal.catch(() => {});
    this.#iceServers = options.iceServers ?? [];
    this.#announcedAddresses = validateAnnouncedAddresses(options.announcedAddresses ?? []);
    this.node = new MediaNode({ name: options.name ?? 'WebRtcTransport' });
    this.#peerConnection = new RTCPeerConnection(createPeerConfig(options));
    this.#dataChannels = new DataChannelBinding(this.node, {
      opened: (event) => this.emit('datachannelopened', event),
      closed: (event) => this.emit('datachannelclosed', event),
    });
    // Once the peer can receive, whatever feeds us should start with a keyframe.
    this.#states = new ConnectionStates(this.#peerConnection, this.emit.bind(this), () =>
      this.node.sink('VIDEO').requestKeyframe(),
    );
    this.#listenToPeerConnection();
  }

  /** Kurento ConnectionState: CONNECTED while ICE and DTLS are up. */
  get connectionState(): ConnectionState {
    return this.#states.connection;
  }

  /** Kurento MediaState: CONNECTED while RTCP arrives from the peer. */
  get mediaState(): MediaState {
    return this.#states.media;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Applies the peer's offer and returns the answer (it already lists the local candidates:
   * werift gathers them while creating it; `gatherCandidates()` emits them for trickle ICE).
   * @throws WebRtcTransportError SDP_PARSE_ERROR, SDP_NO_ACCEPTABLE_CODEC, SDP_ALREADY_NEGOTIATED
   */
  async processOffer(offer: string): Promise<string> {
    this.#assertOpen();
    this.#assertNotNegotiated();
    const sdp = prepareRemoteDescription(offer, 'offer');
    this.#negotiation = 'negotiating';
    try {
      await this.#applyRemoteDescription('offer', sdp);
      answerAsDtlsServer(this.#peerConnection);
      const answer = await this.#whileOpen(this.#peerConnection.createAnswer());
      await this.#applyLocalDescription(answer);
    } catch (error) {
      throw this.#failNegotiation(error, 'SDP_PARSE_ERROR', 'Cannot process the SDP offer');
    }
    this.#completeNegotiation();
    this.#answered = true;
    this.#emitRequestedCandidates();
    return this.getLocalSessionDescriptor() as string;
  }

  /**
   * Creates the server's offer: one audio and one video stream (sendrecv unless recvonly or
   * sendonly) and, with `useDataChannels`, an SCTP association.
   * @throws WebRtcTransportError SDP_ALREADY_NEGOTIATED
   */
  async generateOffer(): Promise<string> {
    this.#assertOpen();
    this.#assertNotNegotiated();
    this.#negotiation = 'negotiating';
    try {
      const direction = this.#ownDirection();
      for (const kind of ['audio', 'video'] as const) {
        this.#bind(this.#peerConnection.addTransceiver(kind, { direction }));
      }
      if (this.options.useDataChannels)
        this.#dataChannels.add(this.#peerConnection.createDataChannel('default'));
      const offer = await this.#whileOpen(this.#peerConnection.createOffer());
      await this.#applyLocalDescription(offer);
    } catch (error) {
      throw this.#failNegotiation(
        error,
        'SDP_GENERATE_OFFER_ERROR',
        'Cannot generate the SDP offer',
      );
    }
    this.#negotiation = 'offer-generated';
    this.#emitRequestedCandidates();
    return this.getLocalSessionDescriptor() as string;
  }

  /**
   * Applies the peer's answer to `generateOffer()` and returns the local description.
   * @throws WebRtcTransportError SDP_NO_OFFER_GENERATED, SDP_ANSWER_ALREADY_PROCESSED,
   * SDP_PARSE_ERROR, SDP_NO_ACCEPTABLE_CODEC, SDP_PROCESS_ANSWER_ERROR
   */
  async processAnswer(answer: string): Promise<string> {
    this.#assertOpen();
    if (this.#negotiation === 'negotiated') {
      throw new WebRtcTransportError(
        'SDP_ANSWER_ALREADY_PROCESSED',
        'An answer was already processed on this endpoint.',
      );
    }
    if (this.#negotiation !== 'offer-generated') {
      throw new WebRtcTransportError(
        'SDP_NO_OFFER_GENERATED',
        'Call generateOffer() before processAnswer().',
      );
    }
    const sdp = prepareRemoteDescription(answer, 'answer');
    this.#negotiation = 'negotiating';
    try {
      await this.#applyRemoteDescription('answer', sdp);
    } catch (error) {
      throw this.#failNegotiation(
        error,
        'SDP_PROCESS_ANSWER_ERROR',
        'Cannot process the SDP answer',
      );
    }
    this.#completeNegotiation();
    return this.getLocalSessionDescriptor() as string;
  }

  /**
   * Emits every local candidate as `icecandidate`, then `icegatheringdone`. Before a local
   * description (as Kurento allows: "the candidates gathered will be added to the SDP
   * processed"), it only asks for them: the offer or answer lists them anyway, and the events
   * follow once processOffer or generateOffer has returned. A second call emits nothing again.
   */
  async gatherCandidates(): Promise<void> {
    this.#assertOpen();
    if (!this.getLocalSessionDescriptor()) {
      this.#gatherOnceDescribed = true;
      return;
    }
    this.#emitCandidates();
  }

  #emitCandidates(): void {
    const local = this.getLocalSessionDescriptor();
    if (this.#gathered || this.#closed || !local) return;
    this.#gathered = true;
    for (const candidate of candidatesOfSdp(local)) this.emit('icecandidate', candidate);
    this.emit('icegatheringdone');
  }

  /**
   * Candidates asked for before the local description existed, emitted after the call that
   * made it has returned (a macrotask later): its answer reaches the peer before them.
   */
  #emitRequestedCandidates(): void {
    if (!this.#gatherOnceDescribed) return;
    this.#gatherOnceDescribed = false;
    setImmediate(() => this.#emitCandidates());
  }

  /**
   * Adds a candidate of the peer. Candidates that arrive before the remote description are kept
   * until it is applied. mDNS (`.local`) and TCP candidates are ignored: the server gathers UDP
   * only and never resolves mDNS names; ICE still finds the peer through its checks.
   * @throws WebRtcTransportError ICE_ADD_CANDIDATE_ERROR
   */
  async addIceCandidate(candidate: IceCandidate): Promise<void> {
    this.#assertOpen();
    const { candidate: checked, parsed } = validateRemoteCandidate(candidate);
    if (parsed.address.toLowerCase().endsWith('.local') || parsed.transport !== 'udp') return;
    if (!this.#peerConnection.remoteDescription || this.#negotiation === 'negotiating') {
      this.#pendingCandidates.push(checked);
      return;
    }
    await this.#addCandidateToPeer(checked);
  }

  /**
   * The peer has sent all its candidates (a trickle `a=end-of-candidates`, RFC 8838): werift's
   * ICE agent marks its remote candidates complete and stops scheduling checks for ones that
   * will not come. Like candidates, it waits for the remote description when it comes first,
   * and it applies to the current ICE session only (an ICE restart expects new candidates).
   * @throws WebRtcTransportError ICE_ADD_CANDIDATE_ERROR, TRANSPORT_CLOSED
   */
  async addEndOfCandidates(): Promise<void> {
    this.#assertOpen();
    if (!this.#peerConnection.remoteDescription || this.#negotiation === 'negotiating') {
      this.#pendingEndOfCandidates = true;
      return;
    }
    await this.#endCandidatesOfPeer();
  }

  /** Whether werift's ICE agent knows the peer sent all its candidates (every ICE transport). */
  get remoteCandidatesComplete(): boolean {
    const transports = this.#peerConnection.iceTransports;
    return (
      transports.length > 0 &&
      transports.every((transport) => transport.connection.remoteCandidatesEnd)
    );
  }

  /**
   * Restarts ICE without renegotiating media, as WHIP and WHEP do (RFC 9725 §4.3.3): the offer
   * applied by `processOffer` is applied again with the peer's new ICE credentials, and the
   * answer returned carries the server's new credentials and candidates. DTLS and SRTP carry on.
   * The peer's new candidates follow with `addIceCandidate`.
   * @throws WebRtcTransportError SDP_NO_OFFER_GENERATED when this transport did not answer an
   * offer, SDP_PARSE_ERROR when the credentials are malformed, TRANSPORT_CLOSED
   */
  async restartIce(credentials: {
    readonly usernameFragment: string;
    readonly password: string;
  }): Promise<string> {
    this.#assertOpen();
    const negotiatedOffer = this.#remoteSdp;
    if (this.#negotiation !== 'negotiated' || !this.#answered || negotiatedOffer === undefined) {
      throw new WebRtcTransportError(
        'SDP_NO_OFFER_GENERATED',
        'An ICE restart needs a session negotiated with processOffer() (the peer offered).',
      );
    }
    const { usernameFragment, password } = credentials;
    if (
      !/^[A-Za-z0-9+/]{4,256}$/.test(usernameFragment) ||
      !/^[A-Za-z0-9+/]{22,256}$/.test(password)
    ) {
      throw new WebRtcTransportError(
        'SDP_PARSE_ERROR',
        'ICE restart: ice-ufrag must be 4-256 and ice-pwd 22-256 ICE characters (RFC 8839).',
      );
    }
    this.#negotiation = 'negotiating';
    try {
      await this.#applyRemoteDescription(
        'offer',
        withNewIceCredentials(negotiatedOffer, credentials),
      );
      const answer = await this.#whileOpen(this.#peerConnection.createAnswer());
      await this.#applyLocalDescription(answer);
    } catch (error) {
      throw this.#failNegotiation(error, 'SDP_PARSE_ERROR', 'Cannot restart ICE');
    }
    this.#negotiation = 'negotiated';
    // werift's answer path starts no ICE agent while DTLS is up, so the restarted agent would
    // never run its checks (the peer's are queued until it does): start it here.
    for (const iceTransport of this.#peerConnection.iceTransports) {
      if (iceTransport.state !== 'connected' && iceTransport.state !== 'checking') {
        iceTransport.start().catch(() => {
          // A failed restart leaves ConnectionState to say so; the peer may restart again.
        });
      }
    }
    this.#addPendingCandidates();
    return this.getLocalSessionDescriptor() as string;
  }

  /** The local SDP (offer or answer), with its candidates, or undefined before negotiating. */
  getLocalSessionDescriptor(): string | undefined {
    const sdp = this.#peerConnection.localDescription?.sdp;
    return sdp === undefined ? undefined : announceAddresses(sdp, this.#announcedAddresses);
  }

  /** The peer's SDP as received, or undefined. */
  getRemoteSessionDescriptor(): string | undefined {
    return this.#remoteSdp;
  }

  /**
   * Replaces the STUN/TURN servers (Kurento's stunServerAddress and turnUrl properties). Applies
   * to the next gathering, which happens in processOffer/generateOffer: set them before.
   */
  setIceServers(servers: readonly IceServer[]): void {
    this.#assertOpen();
    this.#iceServers = [...servers];
    this.#peerConnection.setConfiguration({ iceServers: toWeriftIceServers(this.#iceServers) });
  }

  /**
   * Replaces the addresses announced in place of host addresses (Kurento's externalIPv4 and
   * externalIPv6). Affects candidates emitted and descriptors read from now on.
   * @throws WebRtcTransportError INVALID_OPTIONS for anything but IP literals
   */
  setAnnouncedAddresses(addresses: readonly string[]): void {
    this.#announcedAddresses = validateAnnouncedAddresses([...addresses]);
  }

  /**
   * Opens a data channel from the server side (Kurento's createDataChannel). Needs
   * `useDataChannels`; it opens once the SCTP association is up (`datachannelopened`).
   * @throws WebRtcTransportError DATA_CHANNELS_DISABLED
   */
  createDataChannel(label = '', options: DataChannelOptions = {}): void {
    this.#assertOpen();
    if (!this.options.useDataChannels) {
      throw new WebRtcTransportError(
        'DATA_CHANNELS_DISABLED',
        'This endpoint was created without useDataChannels: create it with useDataChannels true.',
      );
    }
    const { ordered = true, maxPacketLifeTime = -1, maxRetransmits = -1, protocol = '' } = options;
    const channel = this.#peerConnection.createDataChannel(label, {
      ordered,
      protocol,
      ...(maxPacketLifeTime >= 0 ? { maxPacketLifeTime } : {}),
      ...(maxRetransmits >= 0 ? { maxRetransmits } : {}),
    });
    this.#dataChannels.add(channel);
  }

  /** Closes a data channel by id (Kurento's closeDataChannel); unknown ids are ignored. */
  closeDataChannel(channelId: number): void {
    this.#dataChannels.close(channelId);
  }

  /** Asks the peer for a video keyframe (RTCP PLI), throttled like every keyframe request. */
  requestKeyframe(): void {
    this.node.source('VIDEO').requestKeyframe();
  }

  /**
   * W3C statistics of the peer connection (inbound-rtp, outbound-rtp, candidate-pair, ...). The
   * RTP entries of video also carry what the server did about feedback: `pliCount`, `firCount`,
   * `nackCount` and `retransmitted*` on outbound-rtp, and Kurento's `remb` (the REMB received for
   * an outbound stream, sent for an inbound one, in bit/s).
   */
  async getStats(): Promise<Map<string, TransportStatsEntry>> {
    if (this.#closed) return new Map();
    const report = await this.#whileOpen(this.#peerConnection.getStats());
    const stats = new Map<string, TransportStatsEntry>();
    for (const [id, entry] of report) {
      const feedback = this.#feedbackStats(entry as { type: string; ssrc?: number });
      stats.set(id, {
        ...(entry as object),
        ...feedback,
        id,
        type: entry.type,
        timestamp: entry.timestamp,
      });
    }
    return stats;
  }

  /**
   * What this transport carried so far, per media kind: running totals read from werift's
   * counters and the bindings' (cheap: nothing is added to the packet path). They stay readable
   * after close, so a released endpoint's last figures can be kept.
   */
  addTrafficTo(into: RtpTrafficByKind): void {
    for (const binding of this.#bindings) {
      binding.addTrafficTo(into[binding.transceiver.kind === 'audio' ? 'audio' : 'video']);
    }
  }

  /** Closes the peer connection, frees its UDP sockets and releases the node. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#signalClosed(closedError());
    for (const binding of this.#bindings) binding.dispose();
    this.#dataChannels.dispose();
    try {
      await this.#peerConnection.close();
    } catch {
      // werift can fail while tearing down a half-open association; the sockets are closed first.
    }
    this.node.release();
    this.#states.close();
    this.emit('closed');
  }

  /**
   * werift calls subscribers inline, from its socket and timer callbacks, without catching: every
   * handler here is guarded, so a throwing listener of this transport cannot end the process.
   */
  #listenToPeerConnection(): void {
    const peerConnection = this.#peerConnection;
    // Subscribed before any setRemoteDescription: werift announces a=ssrc tracks inside it.
    peerConnection.onRemoteTransceiverAdded.subscribe(
      guarded('remote transceiver', (transceiver) => this.#adoptRemoteTransceiver(transceiver)),
    );
    peerConnection.onTrack.subscribe(
      guarded('remote track', (track) => {
        this.#bindings.find((binding) => binding.owns(track))?.attachTrack(track);
      }),
    );
    peerConnection.onDataChannel.subscribe(
      guarded('data channel', (channel) => {
        if (this.options.useDataChannels) this.#dataChannels.add(channel);
        else channel.close();
      }),
    );
  }

  /** Directions are set before createAnswer: werift creates remote transceivers recvonly. */
  #adoptRemoteTransceiver(transceiver: RTCRtpTransceiver): void {
    const alreadyBound = this.#bindings.some(
      (binding) => binding.transceiver.kind === transceiver.kind,
    );
    if (alreadyBound) {
      transceiver.setDirection('inactive');
      return;
    }
    transceiver.setDirection(this.#ownDirection());
    this.#bind(transceiver);
  }

  #bind(transceiver: RTCRtpTransceiver): void {
    const answerNacks = this.options.answerNacks ?? true;
    this.#bindings.push(
      new TransceiverBinding(this.node, transceiver, {
        answerNacks,
        srtpWorkers: this.options.srtpWorkers,
        nativeSrtp: this.options.nativeSrtp,
        weriftSendPath: this.options.weriftSendPath,
      }),
    );
  }

  #feedbackStats(entry: { type: string; ssrc?: number }): Record<string, number> {
    if (entry.type === 'outbound-rtp') {
      const binding = this.#bindings.find((candidate) => candidate.senderSsrc === entry.ssrc);
      if (binding?.transceiver.kind !== 'video') return {};
      const {
        pliReceived,
        firReceived,
        nackCount,
        retransmittedPacketsSent,
        retransmittedBytesSent,
        rembReceived,
      } = binding.counters;
      return {
        pliCount: pliReceived,
        firCount: firReceived,
        nackCount,
        retransmittedPacketsSent,
        retransmittedBytesSent,
        ...(rembReceived === undefined ? {} : { remb: rembReceived }),
      };
    }
    if (entry.type === 'inbound-rtp') {
      const binding = this.#bindings.find((candidate) => candidate.receiverSsrc === entry.ssrc);
      const rembSent = binding?.counters.rembSent;
      return rembSent === undefined ? {} : { remb: rembSent };
    }
    return {};
  }

  #ownDirection(): 'sendrecv' | 'sendonly' | 'recvonly' {
    if (this.options.recvonly) return 'recvonly';
    if (this.options.sendonly) return 'sendonly';
    return 'sendrecv';
  }

  async #applyRemoteDescription(type: 'offer' | 'answer', sdp: string): Promise<void> {
    await this.#whileOpen(this.#peerConnection.setRemoteDescription({ type, sdp }));
    this.#remoteSdp = sdp;
  }

  async #applyLocalDescription(description: RTCSessionDescription): Promise<void> {
    disableImplicitStun(this.#peerConnection, this.#iceServers);
    this.options.iceUdpMux?.attach(this.#peerConnection);
    await this.#whileOpen(this.#peerConnection.setLocalDescription(description));
    this.#watchRtcp();
  }

  #completeNegotiation(): void {
    this.#negotiation = 'negotiated';
    for (const binding of this.#bindings) binding.onNegotiated();
    this.#addPendingCandidates();
  }

  /** Candidates (and an end-of-candidates) that came before the remote description could take them. */
  #addPendingCandidates(): void {
    const added = this.#pendingCandidates.splice(0).map((candidate) =>
      this.#addCandidateToPeer(candidate).catch(() => {
        // Queued candidates were validated on arrival; one werift still refuses is skipped
        // (its caller got success long ago), like a browser ignoring an unusable candidate.
      }),
    );
    if (!this.#pendingEndOfCandidates) return;
    this.#pendingEndOfCandidates = false;
    // werift ignores candidates that come after the end: it goes once they are all in.
    void Promise.all(added)
      .then(() => this.#endCandidatesOfPeer())
      .catch(() => {});
  }

  async #endCandidatesOfPeer(): Promise<void> {
    try {
      // werift's (and the W3C's) end-of-candidates: an empty candidate for every media section.
      await this.#whileOpen(this.#peerConnection.addIceCandidate({ candidate: '' }));
    } catch (error) {
      if (error instanceof WebRtcTransportError) throw error;
      throw new WebRtcTransportError(
        'ICE_ADD_CANDIDATE_ERROR',
        `Cannot end the remote candidates: ${reason(error)}.`,
        { cause: error },
      );
    }
  }

  async #addCandidateToPeer(candidate: IceCandidate): Promise<void> {
    try {
      await this.#whileOpen(this.#peerConnection.addIceCandidate(candidate));
    } catch (error) {
      if (error instanceof WebRtcTransportError) throw error;
      throw new WebRtcTransportError(
        'ICE_ADD_CANDIDATE_ERROR',
        `Cannot add the ICE candidate: ${reason(error)}.`,
        {
          cause: error,
        },
      );
    }
  }

  /**
   * RTCP feeds MediaState and carries the peer's feedback: PLI, FIR, NACK and REMB. The DTLS
   * state feeds ConnectionState.
   */
  #watchRtcp(): void {
    for (const dtlsTransport of this.#peerConnection.dtlsTransports) {
      if (this.#watchedDtlsTransports.has(dtlsTransport)) continue;
      this.#watchedDtlsTransports.add(dtlsTransport);
      recoverLostDtlsRecords(dtlsTransport);
      keepEarlyDtlsRecords(dtlsTransport);
      startDtlsOnNomination(this.#peerConnection, dtlsTransport);
      this.#states.watchDtlsTransport(dtlsTransport);
      dtlsTransport.onRtcp.subscribe(guarded('RTCP handling', (packet) => this.#onRtcp(packet)));
    }
  }

  #onRtcp(packet: RtcpPacket): void {
    this.#states.rtcpReceived();
    const nack = genericNackOf(packet);
    if (nack) {
      const lost = nackedSequenceNumbers(nack);
      this.#bindingSending(nack.mediaSourceSsrc)?.onPeerNack(lost);
      return;
    }
    const remb = rembOf(packet);
    if (remb) {
      // Browsers list every SSRC they receive from us; the estimate is for the whole connection.
      const ours = this.#bindings.some((binding) => remb.ssrcs.includes(binding.senderSsrc));
      if (!ours) return;
      for (const binding of this.#bindings) binding.onPeerBitrateEstimate(remb.bitsPerSecond);
      return;
    }
    if (packet.type !== RtcpPayloadSpecificFeedback.type) return;
    const feedback = (packet as RtcpPayloadSpecificFeedback).feedback;
    // werift routes PSFB by the feedback's sender SSRC, which for a sendrecv peer is one of its
    // receivers, so PLI/FIR are matched here against the SSRC they are about instead.
    let mediaSsrcs: number[];
    let request: 'pli' | 'fir';
    if (feedback instanceof PictureLossIndication) {
      mediaSsrcs = [feedback.mediaSsrc];
      request = 'pli';
    } else if ('fir' in feedback) {
      mediaSsrcs = (feedback.fir as { ssrc: number }[]).map((entry) => entry.ssrc);
      request = 'fir';
    } else return;
    for (const binding of this.#bindings) {
      if (mediaSsrcs.includes(binding.senderSsrc)) binding.onPeerKeyframeRequest(request);
    }
  }

  #bindingSending(ssrc: number): TransceiverBinding | undefined {
    return this.#bindings.find((binding) => binding.senderSsrc === ssrc);
  }

  #assertOpen(): void {
    if (this.#closed) throw closedError();
  }

  /**
   * werift parks pending description tasks forever once its peer connection is closed: every
   * werift promise is raced against close(), which rejects it with TRANSPORT_CLOSED.
   */
  #whileOpen<T>(operation: Promise<T>): Promise<T> {
    return Promise.race([operation, this.#closedSignal]);
  }

  #assertNotNegotiated(): void {
    if (this.#negotiation !== 'new') {
      throw new WebRtcTransportError(
        'SDP_ALREADY_NEGOTIATED',
        'This endpoint already negotiated (or is negotiating) a session: create a new endpoint for a new session.',
      );
    }
  }

  #failNegotiation(
    error: unknown,
    fallbackCode: 'SDP_PARSE_ERROR' | 'SDP_GENERATE_OFFER_ERROR' | 'SDP_PROCESS_ANSWER_ERROR',
    what: string,
  ): WebRtcTransportError {
    this.#negotiation = 'failed';
    if (error instanceof WebRtcTransportError) return error;
    const code = /negotiate codecs failed/i.test(reason(error))
      ? 'SDP_NO_ACCEPTABLE_CODEC'
      : fallbackCode;
    return new WebRtcTransportError(
      code,
      `${what}: ${reason(error)}. Create a new endpoint to try again.`,
      {
        cause: error,
      },
    );
  }
}

function closedError(): WebRtcTransportError {
  return new WebRtcTransportError(
    'TRANSPORT_CLOSED',
    'This WebRTC endpoint was released: create a new one.',
  );
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

import { MediaNode, TypedEventEmitter } from '../graph/index.js';
import { WebRtcTransportError } from './errors.js';
import type {
  ConnectionState,
  IceCandidate,
  TransportStatsEntry,
  WebRtcTransportEvents,
  WebRtcTransportOptions,
} from './types.js';

/**
 * One WebRTC peer connection of the media server (ICE, DTLS, SRTP, SCTP through werift), seen
 * by the rest of the server as a {@link MediaNode}: media received from the peer leaves through
 * `node.source(type)`, media linked into `node.sink(type)` is sent to the peer. Connecting the
 * node to itself echoes the peer's media back (loopback).
 *
 * Negotiation follows Kurento's SdpEndpoint: either `processOffer` (peer offers) or
 * `generateOffer` then `processAnswer` (server offers), once. Candidates are emitted as
 * `icecandidate` events after `gatherCandidates()`.
 */
export class WebRtcTransport extends TypedEventEmitter<WebRtcTransportEvents> {
  /** The graph side of this transport. */
  readonly node: MediaNode;
  readonly options: WebRtcTransportOptions;

  constructor(options: WebRtcTransportOptions = {}) {
    super();
    this.options = options;
    this.node = new MediaNode({ name: options.name ?? 'WebRtcTransport' });
  }

  /** Kurento ConnectionState: CONNECTED once ICE and DTLS are up. */
  get connectionState(): ConnectionState {
    return 'DISCONNECTED';
  }

  /**
   * Applies the peer's offer and returns the answer. Candidates gathered while answering are
   * not in the answer's text until `gatherCandidates()` emits them (trickle ICE, as KMS).
   * @throws WebRtcTransportError SDP_PARSE_ERROR, SDP_NO_ACCEPTABLE_CODEC, SDP_ALREADY_NEGOTIATED
   */
  async processOffer(_offer: string): Promise<string> {
    throw notYet();
  }

  /** Creates the server's offer (sendrecv unless recvonly/sendonly). */
  async generateOffer(): Promise<string> {
    throw notYet();
  }

  /** Applies the peer's answer to `generateOffer`; returns the local description. */
  async processAnswer(_answer: string): Promise<string> {
    throw notYet();
  }

  /**
   * Emits every local candidate as `icecandidate`, then `icegatheringdone`. Call after
   * negotiating; calling it again re-emits nothing.
   */
  async gatherCandidates(): Promise<void> {
    throw notYet();
  }

  /** Adds a candidate of the peer. @throws WebRtcTransportError ICE_ADD_CANDIDATE_ERROR */
  async addIceCandidate(_candidate: IceCandidate): Promise<void> {
    throw notYet();
  }

  /** The local SDP (offer or answer), with the candidates gathered so far. */
  getLocalSessionDescriptor(): string | undefined {
    return undefined;
  }

  getRemoteSessionDescriptor(): string | undefined {
    return undefined;
  }

  /** Asks the peer for a video keyframe (RTCP PLI). */
  requestKeyframe(): void {}

  /** W3C-style statistics of the peer connection, keyed by id. */
  async getStats(): Promise<Map<string, TransportStatsEntry>> {
    return new Map();
  }

  /** Closes the peer connection, frees its UDP sockets and releases the node. Idempotent. */
  async close(): Promise<void> {
    this.node.release();
  }
}

function notYet(): WebRtcTransportError {
  return new WebRtcTransportError('TRANSPORT_CLOSED', 'not implemented yet');
}

import type { IceCandidateInit } from './NegotiablePeer.js';

/** Request types and event names of the WebRTC offer/answer and trickle-ICE messages. */
export const PeerMessage = {
  /** request client → server: an offer, answered with the server's SDP answer. */
  offer: 'peer:offer',
  /** request client → server: the answer to an offer the server pushed. */
  answer: 'peer:answer',
  /** request client → server, and event server → client: one trickle-ICE candidate. */
  candidate: 'peer:candidate',
} as const;

export interface PeerDescription {
  /** Which of the session's peers this is about (a session may hold several). */
  peerId: string;
  /** The negotiation this SDP belongs to (see NegotiationEpoch). */
  epoch: number;
  sdp: string;
}

export interface PeerCandidate {
  peerId: string;
  epoch: number;
  candidate: IceCandidateInit;
}

/**
 * The messages `attachPeer()` exchanges. Merge them into the application's protocol, and handle
 * the requests on the server (`peerSignalingSchemas` of @medley/signaling/server validates them):
 *
 * ```ts
 * interface AppProtocol {
 *   requests: AppRequests & PeerSignalingProtocol['requests'];
 *   events: AppEvents & PeerSignalingProtocol['events'];
 * }
 * ```
 */
export interface PeerSignalingProtocol {
  requests: {
    'peer:offer': { request: PeerDescription; response: { sdp: string } };
    'peer:answer': { request: PeerDescription; response: undefined };
    'peer:candidate': { request: PeerCandidate; response: undefined };
  };
  events: {
    /** The server offers (e.g. a Kurento endpoint that sends media): the client answers. */
    'peer:offer': PeerDescription;
    'peer:candidate': PeerCandidate;
  };
}

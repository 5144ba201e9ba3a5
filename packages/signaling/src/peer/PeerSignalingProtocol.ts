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

/** An offer or answer of one peer's negotiation (`peer:offer`, `peer:answer`). */
export interface PeerDescription {
  /** Which of the session's peers this is about (a session may hold several). */
  peerId: string;
  /** The negotiation this SDP belongs to (see NegotiationEpoch). */
  epoch: number;
  /** The SDP text. */
  sdp: string;
}

/** One trickle-ICE candidate of one peer's negotiation (`peer:candidate`). */
export interface PeerCandidate {
  /** Which of the session's peers this is about. */
  peerId: string;
  /** The negotiation the candidate was gathered for; candidates of older ones are dropped. */
  epoch: number;
  /** The candidate. */
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
  /** Client → server. */
  requests: {
    /** The client's offer; the server answers with its SDP answer. */
    'peer:offer': {
      /** The offer. */
      request: PeerDescription;
      /** The answer. */
      response: {
        /** The SDP answer's text. */
        sdp: string;
      };
    };
    /** The client's answer to an offer the server pushed. */
    'peer:answer': {
      /** The answer. */
      request: PeerDescription;
      /** Nothing: the acknowledgement says it arrived. */
      response: undefined;
    };
    /** A local candidate of the client. */
    'peer:candidate': {
      /** The candidate. */
      request: PeerCandidate;
      /** Nothing: the acknowledgement says it arrived. */
      response: undefined;
    };
  };
  /** Server → client. */
  events: {
    /** The server offers (e.g. a Kurento endpoint that sends media): the client answers. */
    'peer:offer': PeerDescription;
    /** A candidate of the server's side (e.g. a media server's `IceCandidateFound`). */
    'peer:candidate': PeerCandidate;
  };
}

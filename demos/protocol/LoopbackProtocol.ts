// The loopback demo's signaling contract, shared by the app server and the React app: the
// offer/answer and trickle-ICE messages of @medley/signaling's attachPeer(), plus `loopback.stop`.
import type { PeerSignalingProtocol } from '@medley/signaling';

export interface LoopbackProtocol {
  requests: PeerSignalingProtocol['requests'] & {
    /** Ends the call and releases its pipeline on the media server. */
    'loopback.stop': { request: Record<string, never>; response: undefined };
  };
  events: PeerSignalingProtocol['events'];
}

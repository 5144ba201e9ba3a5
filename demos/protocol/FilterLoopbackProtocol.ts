// The contract of the filter demos (magic mirror, QR reader): the peer offer/answer and trickle
// ICE of @medley/signaling's attachPeer(), `filter.stop`, and the codes the QR reader found.
import type { PeerSignalingProtocol } from '@medley/signaling';

export interface FilterLoopbackProtocol {
  requests: PeerSignalingProtocol['requests'] & {
    /** Ends the call and releases its pipeline on the media server. */
    'filter.stop': { request: Record<string, never>; response: undefined };
  };
  events: PeerSignalingProtocol['events'] & {
    /** A code the ZBarFilter read, once per new code (Kurento's CodeFound). */
    'qr.code': { codeType: string; value: string };
  };
}

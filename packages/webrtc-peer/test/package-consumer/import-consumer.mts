// Type-checks the package as an ES module consumer sees it (the "import" condition of exports).
import { WebRtcPeer, type WebRtcPeerError } from '@medley/webrtc-peer';

export function connect(): Promise<string> {
  const peer = new WebRtcPeer({ mode: 'recvonly' });
  peer.on('icecandidate', (candidate: RTCIceCandidate) => candidate.toJSON());
  peer.on('error', (error: WebRtcPeerError) => error.code);
  return peer.generateOffer();
}

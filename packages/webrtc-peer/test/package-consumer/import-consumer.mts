// Type-checks the package as an ES module consumer sees it (the "import" condition of exports).
import { WebRtcPeer, type WebRtcPeerError } from '@medley/webrtc-peer';

export function connect(): Promise<string> {
  const peer = new WebRtcPeer({ mode: 'recvonly' });
  peer.on('icecandidate', (candidate: RTCIceCandidate) => candidate.toJSON());
  peer.on('error', (error: WebRtcPeerError) => error.code);
  return peer.generateOffer();
}

import { publishWhip, type WhipError } from '@medley/webrtc-peer/whip';

export async function publish(): Promise<string> {
  const session = await publishWhip('/whip/studio', { token: 'secret' });
  session.on('error', (error: WhipError) => error.retryAfterSeconds);
  return session.url;
}

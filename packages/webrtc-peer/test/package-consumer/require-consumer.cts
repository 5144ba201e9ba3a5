// Type-checks the package as a CommonJS consumer sees it (the "require" condition of exports).
import medley = require('@medley/webrtc-peer');

export function connect(): Promise<string> {
  const peer = new medley.WebRtcPeer({ mode: 'sendrecv' });
  peer.on('icecandidate', (candidate: RTCIceCandidate) => candidate.toJSON());
  peer.on('error', (error: medley.WebRtcPeerError) => error.code);
  return peer.generateOffer();
}

import whip = require('@medley/webrtc-peer/whip');

export async function play(): Promise<MediaStream> {
  const session = await whip.playWhep('/whep/studio');
  session.on('statechange', (state: whip.WhipSessionState) => state);
  return session.stream;
}

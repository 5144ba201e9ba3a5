export const WebRtcPeer = {};

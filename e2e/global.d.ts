// What the demo pages expose on `window` for debugging, as the end-to-end tests read it.
import type { SignalingClient } from '@medley/signaling';
import type { WebRtcPeer } from '@medley/webrtc-peer';

declare global {
  interface Window {
    loopback: {
      readonly peer: WebRtcPeer | undefined;
      readonly client: SignalingClient | undefined;
    };
    magicMirror: { readonly peer: WebRtcPeer | undefined };
    qrReader: { readonly peer: WebRtcPeer | undefined };
    webRtcPeer: { peerConnection: RTCPeerConnection } | null | undefined;
    recorder: {
      readonly peer: WebRtcPeer | undefined;
      readonly client: SignalingClient | undefined;
      lastRecording: { name: string; recordedSeconds?: number } | undefined;
    };
    kurentoUtils: { WebRtcPeer: { WebRtcPeerSendrecv: unknown } } | undefined;
  }
}

import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import type { WebRtcEndpoint } from '../../packages/media-client/src/index.js';
import { disableImplicitStun } from '../../packages/media-server/src/transport/peerConfig.js';

/** The video codecs a viewer may negotiate, as Chromium offers them. */
export type ViewerCodec = 'VP8' | 'H264';

const VIEWER_CODECS: Record<ViewerCodec, RTCRtpCodecParameters> = {
  VP8: new RTCRtpCodecParameters({
    mimeType: 'video/VP8',
    clockRate: 90_000,
    payloadType: 96,
    rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
  }),
  H264: new RTCRtpCodecParameters({
    mimeType: 'video/H264',
    clockRate: 90_000,
    payloadType: 102,
    parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
    rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
  }),
};

/**
 * A viewer that costs the machine little: a werift peer that negotiated one video codec with a
 * WebRtcEndpoint and counts the frames it receives (RTP timestamps), decoding nothing.
 */
export class FrameCountingViewer {
  /** Frames received so far. */
  frames = 0;
  readonly #peer: RTCPeerConnection;

  private constructor(peer: RTCPeerConnection) {
    this.#peer = peer;
  }

  /** Negotiates with `endpoint` (recvonly video in `codec`) and resolves once ICE connected. */
  static async open(endpoint: WebRtcEndpoint, codec: ViewerCodec): Promise<FrameCountingViewer> {
    const peer = new RTCPeerConnection({
      codecs: { video: [VIEWER_CODECS[codec]] },
      iceServers: [],
      iceUseIpv6: false,
      iceAdditionalHostAddresses: ['127.0.0.1'],
    });
    const viewer = new FrameCountingViewer(peer);
    const transceiver = peer.addTransceiver('video', { direction: 'recvonly' });
    transceiver.onTrack.subscribe((track) => {
      let lastTimestamp = -1;
      track.onReceiveRtp.subscribe((rtp) => {
        if (rtp.header.timestamp === lastTimestamp) return;
        lastTimestamp = rtp.header.timestamp;
        viewer.frames++;
      });
    });
    try {
      const offer = await peer.createOffer();
      disableImplicitStun(peer, []);
      await peer.setLocalDescription(offer);
      const answer = await endpoint.processOffer(peer.localDescription?.sdp ?? '');
      await peer.setRemoteDescription({ type: 'answer', sdp: answer });
      await connected(peer);
    } catch (error) {
      await peer.close();
      throw error;
    }
    return viewer;
  }

  close(): Promise<void> {
    return this.#peer.close();
  }
}

function connected(peer: RTCPeerConnection): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('a viewer did not connect in 15 s')), 15_000);
    peer.connectionStateChange.subscribe((state) => {
      if (state !== 'connected') return;
      clearTimeout(timer);
      resolve();
    });
  });
}

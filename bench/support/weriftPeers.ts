// werift peers for benchmarks that need a WebRTC offer or an answer without a browser.
import { RTCPeerConnection, RTCRtpCodecParameters, useAbsSendTime, useSdesMid } from 'werift';
import {
  createPeerConfig,
  disableImplicitStun,
} from '../../packages/media-server/src/transport/peerConfig.js';

/** A Node-side browser stand-in: one VP8 and one Opus codec, as a minimal Chromium offer. */
function offererConfig() {
  return {
    codecs: {
      audio: [
        new RTCRtpCodecParameters({
          mimeType: 'audio/opus',
          clockRate: 48_000,
          channels: 2,
          payloadType: 111,
        }),
      ],
      video: [
        new RTCRtpCodecParameters({
          mimeType: 'video/VP8',
          clockRate: 90_000,
          payloadType: 96,
          rtcpFeedback: [
            { type: 'nack' },
            { type: 'nack', parameter: 'pli' },
            { type: 'goog-remb' },
          ],
        }),
      ],
    },
    headerExtensions: { audio: [useSdesMid()], video: [useSdesMid(), useAbsSendTime()] },
    iceServers: [],
    iceUseIpv6: false,
    iceAdditionalHostAddresses: ['127.0.0.1'],
  };
}

/**
 * A sendrecv audio + video offer with its host candidates (werift gathers them before its local
 * description is set). Close the peer once the offer has been used.
 */
export async function createVp8OpusOffer(): Promise<{ sdp: string; peer: RTCPeerConnection }> {
  const peer = new RTCPeerConnection(offererConfig());
  peer.addTransceiver('audio', { direction: 'sendrecv' });
  peer.addTransceiver('video', { direction: 'sendrecv' });
  const offer = await peer.createOffer();
  disableImplicitStun(peer, []);
  await peer.setLocalDescription(offer);
  return { sdp: peer.localDescription?.sdp ?? '', peer };
}

/** A werift peer configured as the media server configures its WebRtcEndpoints. */
export function serverLikePeer(): RTCPeerConnection {
  return new RTCPeerConnection(createPeerConfig({ additionalHostAddresses: ['127.0.0.1'] }));
}

/** What a WebRtcEndpoint's processOffer asks of werift: apply the offer, answer sendrecv. */
export async function answerOffer(peer: RTCPeerConnection, sdp: string): Promise<string> {
  await peer.setRemoteDescription({ type: 'offer', sdp });
  for (const transceiver of peer.getTransceivers()) transceiver.setDirection('sendrecv');
  disableImplicitStun(peer, []);
  await peer.setLocalDescription(await peer.createAnswer());
  return peer.localDescription?.sdp ?? '';
}

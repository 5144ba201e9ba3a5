import { type RTCDtlsTransport, RTCPeerConnection } from 'werift';
import {
  createPeerConfig,
  disableImplicitStun,
} from '../../packages/media-server/src/transport/peerConfig.js';
import { ReceivedRtp } from './ReceivedRtp.js';
import { isRtp, payloadKindsOfSdp } from './rtp.js';

/**
 * A WebRTC receiver that uses werift only for ICE and DTLS: RTP datagrams are taken off the ICE
 * connection before werift's SRTP layer and counted by their clear header (see ReceivedRtp);
 * STUN, DTLS and RTCP go on through werift as usual, so consent and RTCP keep working.
 */
export class LightSubscriber {
  readonly received: ReceivedRtp;
  readonly #peerConnection: RTCPeerConnection;

  private constructor(peerConnection: RTCPeerConnection, received: ReceivedRtp) {
    this.#peerConnection = peerConnection;
    this.received = received;
  }

  /** Answers the server's offer; `onFirstRtp` fires when the first RTP datagram arrives. */
  static async acceptOffer(
    offerSdp: string,
    onFirstRtp: (atMs: number) => void,
  ): Promise<{ subscriber: LightSubscriber; answerSdp: string }> {
    const peerConnection = new RTCPeerConnection(
      createPeerConfig({ additionalHostAddresses: ['127.0.0.1'] }),
    );
    let dtls: RTCDtlsTransport | undefined;
    const received = new ReceivedRtp(
      payloadKindsOfSdp(offerSdp),
      (datagram) => decryptsCleanly(dtls, datagram),
      onFirstRtp,
    );
    try {
      await peerConnection.setRemoteDescription({ type: 'offer', sdp: offerSdp });
      disableImplicitStun(peerConnection, []);
      await peerConnection.setLocalDescription(await peerConnection.createAnswer());
    } catch (error) {
      await peerConnection.close();
      throw error;
    }
    dtls = peerConnection.dtlsTransports[0];
    for (const iceTransport of peerConnection.iceTransports) {
      const onData = iceTransport.connection.onData;
      const deliver = onData.execute;
      onData.execute = (datagram: Buffer) => {
        if (isRtp(datagram)) received.onRtp(datagram);
        else deliver(datagram);
      };
    }
    return {
      subscriber: new LightSubscriber(peerConnection, received),
      answerSdp: peerConnection.localDescription?.sdp ?? '',
    };
  }

  async close(): Promise<void> {
    await this.#peerConnection.close();
  }
}

function decryptsCleanly(dtls: RTCDtlsTransport | undefined, datagram: Buffer): boolean {
  try {
    return dtls?.srtp !== undefined && dtls.srtp.decrypt(datagram).length > 0;
  } catch {
    return false;
  }
}

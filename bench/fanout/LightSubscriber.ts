import type { RemoteInfo, Socket } from 'node:dgram';
import { type RTCDtlsTransport, RTCPeerConnection } from 'werift';
import {
  createPeerConfig,
  disableImplicitStun,
} from '../../packages/media-server/src/transport/peerConfig.js';
import { type Decrypted, ReceivedRtp, type ReceivedRtpEvents } from './ReceivedRtp.js';
import { isRtp, payloadKindsOfSdp } from './rtp.js';

/**
 * A WebRTC receiver that uses werift only for ICE and DTLS: RTP datagrams are taken off its UDP
 * sockets before werift sees them and counted by their clear header (see ReceivedRtp); STUN,
 * DTLS and RTCP go on through werift as usual, so consent checks and RTCP keep working.
 */
export class LightSubscriber {
  readonly received: ReceivedRtp;
  readonly #peerConnection: RTCPeerConnection;

  private constructor(peerConnection: RTCPeerConnection, received: ReceivedRtp) {
    this.#peerConnection = peerConnection;
    this.received = received;
  }

  /** Answers the server's offer. */
  static async acceptOffer(
    offerSdp: string,
    events: ReceivedRtpEvents,
  ): Promise<{ subscriber: LightSubscriber; answerSdp: string }> {
    const peerConnection = new RTCPeerConnection(
      createPeerConfig({ additionalHostAddresses: ['127.0.0.1'] }),
    );
    let dtls: RTCDtlsTransport | undefined;
    const received = new ReceivedRtp(
      payloadKindsOfSdp(offerSdp),
      (datagram) => decrypt(dtls, datagram),
      events,
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
      for (const socket of socketsOf(iceTransport.connection)) takeRtpOff(socket, received);
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

type IceConnection = RTCPeerConnection['iceTransports'][number]['connection'];

function decrypt(dtls: RTCDtlsTransport | undefined, datagram: Buffer): Decrypted {
  if (!dtls?.srtp) return `no SRTP keys yet (DTLS ${dtls?.state ?? 'absent'})`;
  try {
    return dtls.srtp.decrypt(datagram);
  } catch (error) {
    return `SRTP: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * The UDP sockets of a werift ICE connection (gathered by setLocalDescription). They are private
 * in werift's types; taking RTP off at the socket skips werift's STUN parse and two event
 * dispatches per datagram, which cost more than the counting itself.
 */
function socketsOf(connection: IceConnection): Socket[] {
  const { protocols } = connection as unknown as {
    protocols: readonly { transport?: { socket?: Socket } }[];
  };
  return protocols.flatMap((protocol) => protocol.transport?.socket ?? []);
}

/** Counts RTP datagrams itself and hands every other datagram to werift's own listener. */
function takeRtpOff(socket: Socket, received: ReceivedRtp): void {
  const weriftListeners = socket.listeners('message') as ((
    datagram: Buffer,
    from: RemoteInfo,
  ) => void)[];
  socket.removeAllListeners('message');
  socket.on('message', (datagram: Buffer, from: RemoteInfo) => {
    if (isRtp(datagram)) received.onRtp(datagram);
    else for (const listener of weriftListeners) listener(datagram, from);
  });
}

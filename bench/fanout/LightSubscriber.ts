import type { RemoteInfo, Socket } from 'node:dgram';
import { type DtlsSocket, type RTCDtlsTransport, RTCPeerConnection } from 'werift';
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
    const dtlsError: { message?: string } = {};
    const received = new ReceivedRtp(
      payloadKindsOfSdp(offerSdp),
      (datagram) => decrypt(dtls, dtlsError.message, datagram),
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
    if (dtls) watchDtlsClient(dtls, dtlsError);
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

function decrypt(
  dtls: RTCDtlsTransport | undefined,
  dtlsError: string | undefined,
  datagram: Buffer,
): Decrypted {
  if (!dtls?.srtp) {
    const state = dtls?.state ?? 'absent';
    return `no SRTP keys yet (DTLS ${state}${dtlsError ? `: ${dtlsError}` : ''})`;
  }
  try {
    return dtls.srtp.decrypt(datagram);
  } catch (error) {
    return `SRTP: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * Keeps the error werift's DTLS socket fails with (werift only logs it), and spares it a
 * duplicate HelloVerifyRequest: werift's client throws on a second one (its Flight3 refuses to
 * run twice) and fails its transport for good while its handshake goes on and completes on the
 * server, which then sends RTP this subscriber cannot decrypt. A server answers every cookie-less
 * ClientHello (RFC 6347 §4.2.1), so a client that retransmitted its first ClientHello while the
 * server was busy gets two; the client must ignore the second (Chromium does). The DTLS socket
 * is created when the transport starts, so it is caught as werift assigns it.
 */
function watchDtlsClient(dtls: RTCDtlsTransport, error: { message?: string }): void {
  let socket: DtlsSocket | undefined = dtls.dtls;
  Object.defineProperty(dtls, 'dtls', {
    configurable: true,
    enumerable: true,
    get: () => socket,
    set: (value: DtlsSocket | undefined) => {
      socket = value;
      if (!value) return;
      value.onError.subscribe((failure: unknown) => {
        error.message ??= failure instanceof Error ? failure.message || 'Error' : String(failure);
      });
      // MEDLEY_BENCH_RAW_WERIFT_CLIENT=1: werift's client as it is, to show what it fails on.
      if (process.env.MEDLEY_BENCH_RAW_WERIFT_CLIENT === '1') return;
      const handle = value.onHandleHandshakes;
      value.onHandleHandshakes = async (assembled) => {
        const repeatedVerifyRequest =
          value.dtls.flight >= CLIENT_FLIGHT_3 &&
          assembled.some(({ msg_type }) => msg_type === HELLO_VERIFY_REQUEST);
        if (!repeatedVerifyRequest) await handle(assembled);
      };
    },
  });
}

const HELLO_VERIFY_REQUEST = 3;
/** werift's DtlsContext.flight once its client has sent the ClientHello with the cookie. */
const CLIENT_FLIGHT_3 = 3;

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

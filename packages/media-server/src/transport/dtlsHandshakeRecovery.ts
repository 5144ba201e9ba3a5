import { DtlsServer, type DtlsSocket, type RTCDtlsTransport } from 'werift';

/** werift's reassembled handshake messages, as its DTLS socket hands them over. */
type Handshakes = Parameters<DtlsServer['onHandleHandshakes']>[0];

const CLIENT_HELLO = 1;
const CERTIFICATE = 11;
const CERTIFICATE_VERIFY = 15;
const CLIENT_KEY_EXCHANGE = 16;
const FINISHED = 20;
/** The client's flight 5: Certificate, ClientKeyExchange, CertificateVerify, Finished. */
const CLIENT_FINAL_FLIGHT = new Set([
  CERTIFICATE,
  CLIENT_KEY_EXCHANGE,
  CERTIFICATE_VERIFY,
  FINISHED,
]);
/** werift's handshake cache slot of the client's flight 5 messages (see its Flight6). */
const CLIENT_FLIGHT_5 = 5;
/** ClientHello body: version (2 bytes), then the client's random (32 bytes), session id, cookie. */
const RANDOM_OFFSET = 2;
const RANDOM_LENGTH = 32;
/** werift's DtlsContext.flight once the server has sent its ServerHello…ServerHelloDone. */
const SERVER_FLIGHT_4 = 4;

/**
 * Keeps the DTLS handshake of a transport on which the server is the DTLS server (our answers
 * say `a=setup:passive`) alive through lost, duplicated and late handshake records, as RFC 6347
 * §4.1.2.7 and §4.2.4 ask: a record that cannot be used yet is dropped and the peer's
 * retransmission brings it again. werift's DtlsServer instead:
 *
 * - fails the transport for good when the client's flight 5 arrives incomplete: a lost
 *   Certificate makes its CertificateVerify handler throw ("client certificate missing before
 *   certificate verify"), and a lost CertificateVerify makes its Finished handler give up after
 *   4.5 s ("waitForReady timeout"); the error reaches RTCDtlsTransport as a failure, and the
 *   retransmitted flight, which would have completed the handshake, is wasted. A lost Finished
 *   makes the retransmitted ClientKeyExchange derive the master secret again, over messages that
 *   by then include the CertificateVerify: no Finished decrypts after that. Under a burst of
 *   set-ups the server's socket drops such datagrams.
 * - draws a new random and key pair when a late copy of the client's first ClientHello comes
 *   after its flight 4 went out (the keys of the flight 4 the client answers are then lost: the
 *   handshake cannot finish), and restarts the whole session on a copy of this handshake's
 *   ClientHello after it is connected (the retransmitted flight 5 of a client that lost flight 6
 *   no longer decrypts).
 *
 * werift already retransmits its flight 4 on a timer and its flight 6 whenever the client's
 * Finished comes again. Call before DTLS starts (werift starts it once ICE has connected): the
 * DTLS socket werift creates then is adjusted as it is created.
 */
export function recoverLostDtlsRecords(dtlsTransport: RTCDtlsTransport): void {
  whenDtlsSocketCreated(dtlsTransport, (socket) => {
    if (socket instanceof DtlsServer) keepHandshakeThroughLoss(socket);
  });
}

/** Calls `created` with the DTLS socket werift assigns to `dtlsTransport.dtls` when it starts. */
function whenDtlsSocketCreated(
  dtlsTransport: RTCDtlsTransport,
  created: (socket: DtlsSocket) => void,
): void {
  let socket = dtlsTransport.dtls;
  if (socket) {
    created(socket);
    return;
  }
  Object.defineProperty(dtlsTransport, 'dtls', {
    configurable: true,
    enumerable: true,
    get: () => socket,
    set: (value: DtlsSocket | undefined) => {
      socket = value;
      if (value) created(value);
    },
  });
}

function keepHandshakeThroughLoss(server: DtlsServer): void {
  const handle = server.onHandleHandshakes;
  server.onHandleHandshakes = async (assembled) => {
    if (isStaleClientHello(server, assembled)) return;
    const usable = server.connected
      ? assembled
      : assembled.filter(({ msg_type }) => followsTranscript(server, msg_type));
    if (usable.length === 0) return;
    try {
      await handle(usable);
    } catch (error) {
      // Left to the client's retransmission of its whole flight 5, which completes the handshake.
      if (!server.connected && usable.every(({ msg_type }) => CLIENT_FINAL_FLIGHT.has(msg_type)))
        return;
      throw error;
    }
  };
}

/**
 * Whether werift may take this message of the client's flight 5 now. werift derives the master
 * secret when it takes the ClientKeyExchange, from the handshake messages it holds (extended
 * master secret: their hash), so that message must come after the client's Certificate and
 * before its CertificateVerify and Finished, and only once; the later ones need those before
 * them. Anything else is dropped until the client retransmits the flight in order.
 */
function followsTranscript(server: DtlsServer, messageType: number): boolean {
  const held = (type: number) =>
    server.dtls.handshakeCache[CLIENT_FLIGHT_5]?.data.some(({ msg_type }) => msg_type === type) ??
    false;
  const certificateHeld = !server.options.certificateRequest || held(CERTIFICATE);
  switch (messageType) {
    case CLIENT_KEY_EXCHANGE:
      return certificateHeld && !held(CLIENT_KEY_EXCHANGE);
    case CERTIFICATE_VERIFY:
      return held(CLIENT_KEY_EXCHANGE);
    case FINISHED:
      return (
        held(CLIENT_KEY_EXCHANGE) &&
        (!server.options.certificateRequest || held(CERTIFICATE_VERIFY))
      );
    default:
      return true;
  }
}

/**
 * A ClientHello of the handshake in progress (same client random) that the server is past: the
 * cookie-less first one once flight 4 has gone out, or any once connected. A new handshake has
 * a random of its own and is left to werift.
 */
function isStaleClientHello(server: DtlsServer, assembled: Handshakes): boolean {
  const hello = assembled.find(({ msg_type }) => msg_type === CLIENT_HELLO);
  if (!hello || hello.fragment.length < RANDOM_OFFSET + RANDOM_LENGTH) return false;
  const current = server.cipher.remoteRandom as ClientRandom | undefined;
  if (!current) return false;
  const random = hello.fragment.subarray(RANDOM_OFFSET, RANDOM_OFFSET + RANDOM_LENGTH);
  if (!random.equals(current.serialize())) return false;
  return (
    server.connected ||
    (cookieOf(hello.fragment).length === 0 && server.dtls.flight >= SERVER_FLIGHT_4)
  );
}

/** werift types the client's random as always set; it is undefined before the first ClientHello. */
type ClientRandom = DtlsServer['cipher']['remoteRandom'];

/** The cookie of a ClientHello body (empty in the first one, RFC 6347 §4.2.1). */
function cookieOf(clientHello: Buffer): Buffer {
  const sessionIdLengthAt = RANDOM_OFFSET + RANDOM_LENGTH;
  const sessionIdLength = clientHello[sessionIdLengthAt];
  if (sessionIdLength === undefined) return Buffer.alloc(0);
  const cookieLengthAt = sessionIdLengthAt + 1 + sessionIdLength;
  const cookieLength = clientHello[cookieLengthAt] ?? 0;
  return clientHello.subarray(cookieLengthAt + 1, cookieLengthAt + 1 + cookieLength);
}

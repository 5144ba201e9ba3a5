import { createSocket, type Socket } from 'node:dgram';
import { ReceivedRtp, type ReceivedRtpEvents } from './ReceivedRtp.js';
import type { RelayCipher } from './RelayCipher.js';
import { RelayMessage } from './relayMessages.js';
import { AUDIO_PAYLOAD_TYPE, isRtp, VIDEO_PAYLOAD_TYPE } from './rtp.js';

const PLAIN_KINDS = new Map([
  [VIDEO_PAYLOAD_TYPE, 'video'],
  [AUDIO_PAYLOAD_TYPE, 'audio'],
] as const);

/** A relay's subscriber: a UDP socket that registers with a hello and counts what arrives. */
export class UdpSubscriber {
  readonly received: ReceivedRtp;
  readonly #socket: Socket;
  readonly #relay: { readonly host: string; readonly port: number };

  private constructor(
    socket: Socket,
    relay: { host: string; port: number },
    received: ReceivedRtp,
  ) {
    this.#socket = socket;
    this.#relay = relay;
    this.received = received;
  }

  static async open(
    relay: { host: string; port: number; encrypted: boolean },
    events: ReceivedRtpEvents,
  ): Promise<UdpSubscriber> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    let cipher: RelayCipher | undefined;
    const received = new ReceivedRtp(
      PLAIN_KINDS,
      (datagram) => {
        if (!relay.encrypted) return datagram;
        if (!cipher) return 'no key from the relay yet';
        return cipher.decrypt(datagram) ?? 'AES-GCM authentication failed';
      },
      events,
    );
    socket.on('message', (datagram) => {
      if (isRtp(datagram)) received.onRtp(datagram);
      else cipher = RelayMessage.parseWelcome(datagram) ?? cipher;
    });
    const subscriber = new UdpSubscriber(socket, relay, received);
    subscriber.#send(RelayMessage.hello());
    return subscriber;
  }

  async close(): Promise<void> {
    this.#send(RelayMessage.bye());
    await new Promise<void>((resolve) => this.#socket.close(resolve));
  }

  #send(message: Buffer): void {
    this.#socket.send(message, this.#relay.port, this.#relay.host);
  }
}

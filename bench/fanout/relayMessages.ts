import { RelayCipher, SALT_BYTES } from './RelayCipher.js';

// A relay's control datagrams. Their first byte is ASCII, below RTP's 0x80-0xBF, so one socket
// carries both.
const HELLO = Buffer.from('HELO');
const BYE = Buffer.from('BYE!');
const WELCOME = Buffer.from('WELC');
const KEY_BYTES = 16;

export const RelayMessage = {
  /** Subscriber → relay: send me the stream. */
  hello: (): Buffer => HELLO,
  /** Subscriber → relay: stop sending. */
  bye: (): Buffer => BYE,
  /** Relay → subscriber: the key and salt of its stream (encrypting relay only). */
  welcome: (cipher: RelayCipher): Buffer => Buffer.concat([WELCOME, cipher.key, cipher.salt]),

  isHello: (datagram: Buffer): boolean => datagram.equals(HELLO),
  isBye: (datagram: Buffer): boolean => datagram.equals(BYE),

  parseWelcome(datagram: Buffer): RelayCipher | undefined {
    if (datagram.length !== WELCOME.length + KEY_BYTES + SALT_BYTES) return undefined;
    if (!datagram.subarray(0, WELCOME.length).equals(WELCOME)) return undefined;
    const key = Buffer.from(datagram.subarray(WELCOME.length, WELCOME.length + KEY_BYTES));
    return new RelayCipher(key, Buffer.from(datagram.subarray(WELCOME.length + KEY_BYTES)));
  },
};

// Baseline forwarder, run as its own process: every RTP datagram that arrives is sent to every
// registered subscriber, as is (the floor of a Node process) or, with --encrypt, encrypted for
// each subscriber with its own AES-128-GCM key (the floor with SRTP-like encryption).
//
//   node --import tsx bench/fanout/relay.ts [--encrypt]     (forked by the benchmark)
import { createSocket, type RemoteInfo } from 'node:dgram';
import type { FromRelay } from './ipc.js';
import { RelayCipher } from './RelayCipher.js';
import { RelayMessage } from './relayMessages.js';
import { isRtp } from './rtp.js';

interface RelaySubscriber {
  readonly address: string;
  readonly port: number;
  readonly cipher: RelayCipher | undefined;
}

const encrypt = process.argv.includes('--encrypt');
const subscribers = new Map<string, RelaySubscriber>();
const socket = createSocket('udp4');

socket.on('message', (datagram: Buffer, from: RemoteInfo) => {
  if (isRtp(datagram)) {
    for (const subscriber of subscribers.values()) {
      const packet = subscriber.cipher ? subscriber.cipher.encrypt(datagram) : datagram;
      socket.send(packet, subscriber.port, subscriber.address);
    }
  } else if (RelayMessage.isHello(datagram)) {
    const cipher = encrypt ? new RelayCipher() : undefined;
    if (cipher) socket.send(RelayMessage.welcome(cipher), from.port, from.address);
    subscribers.set(`${from.address}:${from.port}`, {
      address: from.address,
      port: from.port,
      cipher,
    });
  } else if (RelayMessage.isBye(datagram)) {
    subscribers.delete(`${from.address}:${from.port}`);
  }
});

socket.bind(0, '127.0.0.1', () => {
  const message: FromRelay = { type: 'listening', port: socket.address().port };
  process.send?.(message);
});
// The benchmark's end (or crash) closes the IPC channel: the relay goes with it.
process.on('disconnect', () => process.exit(0));

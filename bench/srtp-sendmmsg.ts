// The native SRTP sender's cost per datagram, one packet fanned out to N subscribers on one UDP
// socket: N send() calls (one sendmsg each, the default) against N queue() calls and one flush()
// (one sendmmsg), in the same process and run. The subscribers are N sockets of this process
// that nobody reads (the kernel still delivers into their buffers, as on loopback).
//   scripts/isolated.sh npx tsx bench/srtp-sendmmsg.ts [--subscribers 300] [--packets 2000]
import { createSocket, type Socket } from 'node:dgram';
import { parseArgs } from 'node:util';
import {
  loadNativeSrtp,
  type NativeSrtpBinding,
  udpDescriptor,
} from '../packages/media-server/src/transport/srtp/nativeSrtpBinding.js';

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '300' },
    packets: { type: 'string', default: '2000' },
  },
});
const subscribers = Number(values.subscribers);
const packets = Number(values.packets);

const loaded = loadNativeSrtp();
if (!('binding' in loaded)) throw loaded.error;
const native: NativeSrtpBinding = loaded.binding;

async function bound(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return socket;
}

const sender = await bound();
const fd = udpDescriptor(sender);
if (fd === undefined) throw new Error('no descriptor');
const sinks = await Promise.all(Array.from({ length: subscribers }, bound));
// Each sink only counts what it gets, so its buffer never fills and nothing is refused.
let received = 0;
for (const sink of sinks) sink.on('message', () => received++);
const streams = sinks.map((sink, index) => {
  const handle = native.createSender(
    Buffer.alloc(16, index),
    Buffer.alloc(14, index),
    1000 + index,
  );
  native.setDestination(handle, fd, '127.0.0.1', sink.address().port, false);
  return handle;
});
const header = Buffer.alloc(24);
header[0] = 0x90;
const payload = Buffer.alloc(1100, 7);

/** CPU µs per datagram of `round` (one packet to every subscriber), over `packets` packets. */
async function measure(name: string, round: (sequence: number) => void): Promise<number> {
  let cpu = 0;
  for (let sequence = 0; sequence < packets; sequence++) {
    const start = process.cpuUsage();
    round(sequence);
    const used = process.cpuUsage(start);
    cpu += used.user + used.system;
    // Let the sinks drain between packets, as 150 packets/s would.
    if (sequence % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
  }
  const perDatagram = cpu / (packets * subscribers);
  console.log(`${name.padEnd(34)} ${perDatagram.toFixed(2)} µs per datagram`);
  return perDatagram;
}

const rounds = {
  'sendmsg per subscriber (default)': (sequence: number) => {
    for (const stream of streams) native.send(stream, header, payload, 0, sequence & 0xffff);
  },
  'queue + one sendmmsg (mux)': (sequence: number) => {
    for (const stream of streams) native.queue(stream, header, payload, 0, sequence & 0xffff);
    native.flush();
  },
};
console.log(`${subscribers} subscribers, ${packets} packets of ${payload.length} bytes`);
for (const pass of [1, 2]) {
  for (const [name, round] of Object.entries(rounds)) {
    await measure(`${name} (pass ${pass})`, round);
  }
}
await new Promise((resolve) => setTimeout(resolve, 200));
console.log(`datagrams delivered: ${received} of ${2 * 2 * packets * subscribers}`);
for (const stream of streams) native.close(stream);
for (const socket of [sender, ...sinks]) socket.close();

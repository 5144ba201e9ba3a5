import { createSocket } from 'node:dgram';
import { MedleyTarget } from './MedleyTarget.js';

/**
 * The Medley media server with `--ice-udp-port` (issue 15, goal 4): every WebRtcEndpoint's ICE
 * on one UDP socket, and the native sender's copies of a packet for all subscribers in one
 * sendmmsg(2). Otherwise the default server (native send path, no workers).
 */
export class MedleyMuxTarget extends MedleyTarget {
  constructor() {
    super({ name: 'medley-mux', sendPath: 'native', sendWorkers: 0, maxLoad: 1 });
  }

  override async start(): Promise<void> {
    // The CLI reads MEDLEY_ICE_UDP_PORT; the spawned server inherits this process's environment.
    process.env.MEDLEY_ICE_UDP_PORT = String(await freeUdpPort());
    try {
      await super.start();
    } finally {
      delete process.env.MEDLEY_ICE_UDP_PORT;
    }
  }
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '0.0.0.0', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

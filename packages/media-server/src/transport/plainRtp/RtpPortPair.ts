import { createSocket, type Socket } from 'node:dgram';

/** The UDP sockets of one medium: RTP on an even port, RTCP on the next one. */
export interface RtpPortPair {
  readonly rtp: Socket;
  readonly rtcp: Socket;
}

/** An inclusive UDP port range (the server's `--ice-port-range`). */
export interface PortRange {
  readonly min: number;
  readonly max: number;
}

/** Thrown when no pair of adjacent ports could be bound. */
export class PortAllocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PortAllocationError';
  }
}

const ATTEMPTS_WITHOUT_RANGE = 32;

function bind(family: 'udp4' | 'udp6', address: string, port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket({ type: family });
    const fail = () => {
      socket.close();
      resolve(undefined);
    };
    socket.once('error', fail);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

async function bindPair(
  family: 'udp4' | 'udp6',
  address: string,
  rtpPort: number,
): Promise<RtpPortPair | undefined> {
  const rtp = await bind(family, address, rtpPort);
  if (!rtp) return undefined;
  const port = rtp.address().port;
  if (port % 2 !== 0 || port === 65535) {
    rtp.close();
    return undefined;
  }
  const rtcp = await bind(family, address, port + 1);
  if (!rtcp) {
    rtp.close();
    return undefined;
  }
  return { rtp, rtcp };
}

/**
 * Binds an even RTP port and the odd RTCP port after it (RFC 3550 §11, what ffmpeg and most
 * SIP gear assume), inside `range` when given (starting at a random even port of it, so that
 * endpoints created together do not race for the same one), else where the OS picks.
 */
export async function bindRtpPortPair(
  range: PortRange | undefined,
  family: 'udp4' | 'udp6',
): Promise<RtpPortPair> {
  const address = family === 'udp4' ? '0.0.0.0' : '::';
  if (!range) {
    for (let attempt = 0; attempt < ATTEMPTS_WITHOUT_RANGE; attempt++) {
      const pair = await bindPair(family, address, 0);
      if (pair) return pair;
    }
    throw new PortAllocationError('Could not bind an even/odd pair of UDP ports for RTP and RTCP');
  }
  const firstEven = range.min + (range.min % 2);
  const pairs = Math.floor((range.max - firstEven + 1) / 2);
  if (pairs <= 0) {
    throw new PortAllocationError(
      `The port range ${range.min}-${range.max} holds no even/odd pair for RTP and RTCP`,
    );
  }
  const start = Math.floor(Math.random() * pairs);
  for (let index = 0; index < pairs; index++) {
    const port = firstEven + ((start + index) % pairs) * 2;
    const pair = await bindPair(family, address, port);
    if (pair) return pair;
  }
  throw new PortAllocationError(
    `Every RTP/RTCP port pair of the range ${range.min}-${range.max} is in use: widen --ice-port-range`,
  );
}

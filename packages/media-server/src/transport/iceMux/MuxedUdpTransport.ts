import type { Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import type {
  IceAddress,
  IceConnectionInternals,
  StunProtocolTransport,
} from './weriftIceInternals.js';

/** What a muxed transport needs from its mux. */
export interface MuxRoutes {
  readonly socket: Socket;
  /** The transport sent STUN to `address`: its answers are routed back to it. */
  claim(address: IceAddress, transport: MuxedUdpTransport): void;
  forget(transport: MuxedUdpTransport): void;
}

/**
 * One ICE agent's view of the mux socket, in place of the UdpTransport werift would bind for it:
 * it sends on the shared socket and receives what the mux routes to it.
 */
export class MuxedUdpTransport implements StunProtocolTransport {
  readonly type = 'udp';
  readonly socketType = 'udp4';
  closed = false;
  onData: (data: Buffer, address: IceAddress) => void = () => {};
  /** The last source, where werift sends a datagram given no address. */
  #lastSource: IceAddress | undefined;
  readonly #routes: MuxRoutes;

  constructor(
    routes: MuxRoutes,
    readonly connection: IceConnectionInternals,
  ) {
    this.#routes = routes;
  }

  get socket(): Socket {
    return this.#routes.socket;
  }

  get address(): AddressInfo {
    return this.#routes.socket.address();
  }

  send = async (data: Buffer, address?: IceAddress): Promise<void> => {
    const to = address ?? this.#lastSource;
    if (this.closed || !to) return;
    const first = data[0];
    if (first !== undefined && first <= 3) this.#routes.claim(to, this);
    if (isIP(to[0]) !== 0) {
      this.#routes.socket.send(data, to[1], to[0]);
      return;
    }
    // A STUN/TURN server given by name: dgram resolves it.
    await new Promise<void>((resolve, reject) =>
      this.#routes.socket.send(data, to[1], to[0], (error) => (error ? reject(error) : resolve())),
    );
  };

  close = async (): Promise<void> => {
    if (this.closed) return;
    this.closed = true;
    this.#routes.forget(this);
  };

  /** A datagram the mux routed here. */
  deliver(data: Buffer, source: IceAddress): void {
    if (this.closed) return;
    this.#lastSource = source;
    try {
      this.onData(data, source);
    } catch {
      // werift's own UdpTransport swallows handler errors too: one bad packet must not end the mux.
    }
  }
}

import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

/** Which way a datagram crosses the proxy. */
export type ProxyDirection = 'toServer' | 'toClient';

/** Answers whether the proxy drops this datagram (it may count what it saw). */
export type DropRule = (datagram: Buffer, direction: ProxyDirection) => boolean;

/**
 * A UDP proxy on loopback between one client and one server port: each side is told one of the
 * proxy's ports as the other's only candidate (`clientFacingPort` in the server's, and
 * `serverFacingPort` in the client's), so every datagram of the connection crosses the proxy,
 * and `drop` decides which never arrive.
 */
export class LossyUdpProxy {
  readonly #clientSide: Socket;
  readonly #serverSide: Socket;
  /** Where the server listens; datagrams to it are dropped until it is set. */
  server: { readonly address: string; readonly port: number } | undefined;
  #client: RemoteInfo | undefined;

  private constructor(clientSide: Socket, serverSide: Socket, drop: DropRule) {
    this.#clientSide = clientSide;
    this.#serverSide = serverSide;
    clientSide.on('message', (datagram, from) => {
      this.#client = from;
      const server = this.server;
      if (!server || drop(datagram, 'toServer')) return;
      serverSide.send(datagram, server.port, server.address);
    });
    serverSide.on('message', (datagram) => {
      const client = this.#client;
      if (!client || drop(datagram, 'toClient')) return;
      clientSide.send(datagram, client.port, client.address);
    });
  }

  static async start(drop: (proxy: LossyUdpProxy) => DropRule): Promise<LossyUdpProxy> {
    const [clientSide, serverSide] = await Promise.all([bound(), bound()]);
    let rule: DropRule = () => false;
    const proxy = new LossyUdpProxy(clientSide, serverSide, (datagram, direction) =>
      rule(datagram, direction),
    );
    rule = drop(proxy);
    return proxy;
  }

  /** The port the client sends to: the server's candidate, for the client. */
  get clientFacingPort(): number {
    return (this.#clientSide.address() as AddressInfo).port;
  }

  /** The port the server sends to: the client's candidate, for the server. */
  get serverFacingPort(): number {
    return (this.#serverSide.address() as AddressInfo).port;
  }

  /** Sends `datagram` to the server as if the client had sent it (a stale or duplicate copy). */
  sendToServer(datagram: Buffer): void {
    const server = this.server;
    if (server) this.#serverSide.send(datagram, server.port, server.address);
  }

  close(): void {
    this.#clientSide.close();
    this.#serverSide.close();
  }
}

function bound(): Promise<Socket> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve(socket));
  });
}

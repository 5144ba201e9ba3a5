import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy standing in for the load balancer in front of several app servers: each new
 * connection goes to the current target; `dropConnections()` cuts the open ones, as when an app
 * server or the network between fails.
 */
export class SwitchingProxy {
  readonly #server = createServer((client) => this.#forward(client));
  readonly #open = new Set<Socket>();
  #targetPort: number | undefined;

  constructor(targetPort?: number) {
    this.#targetPort = targetPort;
  }

  async listen(): Promise<string> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    const address = this.#server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return `http://127.0.0.1:${port}`;
  }

  /** Sends the connections opened from now on to `port`; undefined refuses them (closes them). */
  switchTo(port: number | undefined): void {
    this.#targetPort = port;
  }

  dropConnections(): void {
    for (const socket of this.#open) socket.destroy();
    this.#open.clear();
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #forward(client: Socket): void {
    if (this.#targetPort === undefined) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: this.#targetPort });
    for (const socket of [client, upstream]) {
      this.#open.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.#open.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

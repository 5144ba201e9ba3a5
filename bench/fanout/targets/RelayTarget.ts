import { ForkedProcess } from '../ForkedProcess.js';
import type { FromRelay } from '../ipc.js';
import type { PublisherEntry, SubscriberSession, Target } from './Target.js';

/**
 * Baselines (a) and (b): a bare Node dgram relay, plain or encrypting each packet for each
 * subscriber with AES-128-GCM, in its own process (see relay.ts).
 */
export class RelayTarget implements Target {
  readonly name: string;
  readonly #encrypted: boolean;
  #relay: ForkedProcess<never, FromRelay> | undefined;
  #port = 0;

  constructor(options: { encrypted: boolean }) {
    this.#encrypted = options.encrypted;
    this.name = options.encrypted ? 'relay-gcm' : 'relay';
  }

  async start(): Promise<void> {
    const relay = new ForkedProcess<never, FromRelay>(
      new URL('../relay.ts', import.meta.url),
      this.#encrypted ? ['--encrypt'] : [],
    );
    this.#relay = relay;
    this.#port = (await relay.next('listening')).port;
  }

  publisherEntry(): PublisherEntry {
    return { kind: 'udp', host: '127.0.0.1', videoPort: this.#port, audioPort: this.#port };
  }

  async openSubscriber(): Promise<SubscriberSession> {
    return {
      route: { kind: 'udp', host: '127.0.0.1', port: this.#port, encrypted: this.#encrypted },
      // The subscriber says bye itself when it closes.
      close: async () => undefined,
    };
  }

  serverPids(): readonly number[] {
    return this.#relay ? [this.#relay.pid] : [];
  }

  async stop(): Promise<void> {
    this.#relay?.kill();
  }
}

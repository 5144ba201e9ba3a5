import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PublisherEntry, SubscriberSession, Target } from './Target.js';

/** What bench/fanout/janus/JanusServer.ts exports (written separately). */
interface JanusServer {
  readonly pid: number;
  readonly rtpTarget: {
    readonly host: string;
    readonly videoPort: number;
    readonly audioPort: number;
  };
  openSubscriber(): Promise<{
    readonly offer: string;
    answer(sdp: string): Promise<void>;
    close(): Promise<void>;
  }>;
  stop(): Promise<void>;
}

interface JanusModule {
  startJanus(options?: Record<string, unknown>): Promise<JanusServer>;
}

const modulePath = fileURLToPath(new URL('../janus/JanusServer.ts', import.meta.url));

/** Baseline (c): Janus's streaming plugin fed plain RTP, one WebRTC viewer per subscriber. */
export class JanusTarget implements Target {
  readonly name = 'janus';
  #janus: JanusServer | undefined;

  static isAvailable(): boolean {
    return existsSync(modulePath);
  }

  async start(): Promise<void> {
    const { startJanus } = (await import(modulePath)) as JanusModule;
    this.#janus = await startJanus();
  }

  publisherEntry(): PublisherEntry {
    return { kind: 'udp', ...this.#required().rtpTarget };
  }

  async openSubscriber(): Promise<SubscriberSession> {
    const viewer = await this.#required().openSubscriber();
    return {
      route: { kind: 'webrtc', offer: viewer.offer },
      answer: (sdp) => viewer.answer(sdp),
      close: () => viewer.close(),
    };
  }

  serverPids(): readonly number[] {
    return this.#janus ? [this.#janus.pid] : [];
  }

  async stop(): Promise<void> {
    await this.#janus?.stop();
  }

  #required(): JanusServer {
    if (!this.#janus) throw new Error('start() the Janus target first');
    return this.#janus;
  }
}

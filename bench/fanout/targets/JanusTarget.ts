import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type JanusServer, startJanus } from '../janus/JanusServer.js';
import { ensurePrivateVethPair } from '../janus/privateVethPair.js';
import type { PublisherEntry, SubscriberSession, Target } from './Target.js';

/**
 * Baseline (c): Janus's streaming plugin (Debian's package, see janus/README.md) fed plain RTP,
 * one WebRTC viewer per subscriber. Janus numbers each viewer's packets from 1: the harness learns
 * each subscriber's offset from its first packets (see Fanout), so loss and latency still match.
 */
export class JanusTarget implements Target {
  readonly name = 'janus';
  #janus: JanusServer | undefined;
  #workDirectory: string | undefined;

  async start(): Promise<void> {
    // libnice gathers no candidate on loopback: Janus gets a private veth pair in the namespace.
    const veth = await ensurePrivateVethPair();
    this.#workDirectory = await mkdtemp(join(tmpdir(), 'medley-fanout-janus-'));
    this.#janus = await startJanus({
      workDirectory: this.#workDirectory,
      interfaceName: veth.interfaceName,
      eventLoops: 2,
    });
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
    if (this.#workDirectory) await rm(this.#workDirectory, { recursive: true, force: true });
  }

  #required(): JanusServer {
    if (!this.#janus) throw new Error('start() the Janus target first');
    return this.#janus;
  }
}

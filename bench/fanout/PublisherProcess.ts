import { ForkedProcess } from './ForkedProcess.js';
import type { FromPublisher, SendLog, SequenceAnchor, ToPublisher } from './ipc.js';
import type { PublisherEntry } from './targets/Target.js';

/** The publisher's process (publisher.ts), seen from main. */
export class PublisherProcess {
  readonly #process = new ForkedProcess<ToPublisher, FromPublisher>(
    new URL('./publisher.ts', import.meta.url),
  );
  #requests = 0;

  get pid(): number {
    return this.#process.pid;
  }

  /** Starts the stream into `entry` (negotiating WebRTC through it); resolves once media flows. */
  async start(entry: PublisherEntry): Promise<void> {
    const failed = this.#process
      .next('error', () => true, 60_000)
      .then((error) => {
        throw new Error(`publisher: ${error.message}`);
      });
    const started = this.#process.next('started', () => true, 30_000);
    if (entry.kind === 'udp') {
      const { host, videoPort, audioPort } = entry;
      this.#process.send({ type: 'start', route: { kind: 'udp', host, videoPort, audioPort } });
    } else {
      const offer = this.#process.next('offer');
      this.#process.send({ type: 'start', route: { kind: 'webrtc' } });
      const sdp = await entry.acceptOffer((await Promise.race([offer, failed])).sdp);
      this.#process.send({ type: 'answer', sdp });
    }
    failed.catch(() => undefined);
    await Promise.race([started, failed]);
  }

  /** The packets sent in [fromMs, toMs). */
  async sends(fromMs: number, toMs: number): Promise<SendLog> {
    const requestId = ++this.#requests;
    const reply = this.#process.next('sends', (message) => message.requestId === requestId);
    this.#process.send({ type: 'sends', requestId, fromMs, toMs });
    return (await reply).log;
  }

  /** The publisher's sequence number of a subscriber's anchor packet, or null if none matches. */
  async locate(anchor: SequenceAnchor): Promise<number | null> {
    const requestId = ++this.#requests;
    const reply = this.#process.next('located', (message) => message.requestId === requestId);
    this.#process.send({ type: 'locate', requestId, anchor });
    return (await reply).sequenceNumber;
  }

  stop(): void {
    this.#process.kill();
  }
}

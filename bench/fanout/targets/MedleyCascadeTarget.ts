import type { ChildProcess } from 'node:child_process';
import {
  connect,
  connectAcrossServers,
  type MediaClient,
  type MediaPipeline,
  type ServerLink,
  type WebRtcEndpoint,
} from '../../../packages/media-client/src/index.js';
import { stopProcess } from '../../support/childProcess.js';
import { type MedleyServerMode, spawnMedleyServer } from './MedleyTarget.js';
import type { PublisherEntry, SubscriberSession, Target } from './Target.js';

const MODE: MedleyServerMode = {
  name: 'medley-cascade',
  sendPath: 'native',
  sendWorkers: 0,
  maxLoad: 1,
};

interface CascadeServer {
  readonly child: ChildProcess;
  readonly client: MediaClient;
  readonly pipeline: MediaPipeline;
}

/**
 * One broadcast over two Medley media servers, as the scale-out issue cascades it: the publisher
 * on the origin, a server-to-server link (connectAcrossServers: a WebRtcEndpoint pair) into a
 * pipeline of the edge, and the subscribers split between them, every other one on each. What is
 * measured is both servers' CPU together, per packet forwarded to a subscriber: against the
 * single-server `medley` target in the same run, the difference is what the link costs.
 */
export class MedleyCascadeTarget implements Target {
  readonly name = MODE.name;
  #origin: CascadeServer | undefined;
  #edge: CascadeServer | undefined;
  #publisher: WebRtcEndpoint | undefined;
  #link: ServerLink | undefined;
  #opened = 0;

  async start(): Promise<void> {
    this.#origin = await startServer();
    this.#edge = await startServer();
    this.#publisher = await this.#origin.pipeline.create('WebRtcEndpoint');
    this.#link = await connectAcrossServers(this.#publisher, this.#edge.pipeline);
  }

  publisherEntry(): PublisherEntry {
    const publisher = this.#required(this.#publisher);
    return { kind: 'webrtc', acceptOffer: (offer) => publisher.processOffer(offer) };
  }

  async openSubscriber(): Promise<SubscriberSession> {
    const onEdge = this.#opened++ % 2 === 1;
    const pipeline = this.#required(onEdge ? this.#edge : this.#origin).pipeline;
    const source = onEdge ? this.#required(this.#link).receiver : this.#required(this.#publisher);
    const endpoint = await pipeline.create('WebRtcEndpoint');
    await source.connect(endpoint);
    const offer = await endpoint.generateOffer();
    return {
      route: { kind: 'webrtc', offer },
      answer: async (answer) => {
        await endpoint.processAnswer(answer);
      },
      close: () => endpoint.release(),
    };
  }

  serverPids(): readonly number[] {
    return [this.#origin, this.#edge].flatMap((server) =>
      server?.child.pid === undefined ? [] : [server.child.pid],
    );
  }

  async stop(): Promise<void> {
    for (const server of [this.#origin, this.#edge]) {
      if (!server) continue;
      server.client.close();
      await stopProcess(server.child, 'SIGTERM', 5000);
    }
  }

  #required<T>(value: T | undefined): T {
    if (value === undefined) throw new Error('start() the cascade target first');
    return value;
  }
}

async function startServer(): Promise<CascadeServer> {
  const { child, url } = await spawnMedleyServer(MODE);
  const client = await connect(url);
  return { child, client, pipeline: await client.create('MediaPipeline') };
}

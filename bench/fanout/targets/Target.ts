import type { HeapUsage } from '../../support/inspector.js';
import type { SubscriberRoute } from '../ipc.js';

/**
 * Where the publisher sends: plain RTP to UDP ports (relays, Janus's streaming plugin), or a
 * WebRTC peer whose offer the target answers (a Medley WebRtcEndpoint).
 */
export type PublisherEntry =
  | {
      readonly kind: 'udp';
      readonly host: string;
      readonly videoPort: number;
      readonly audioPort: number;
    }
  | { readonly kind: 'webrtc'; acceptOffer(offerSdp: string): Promise<string> };

/** One subscriber's place on the server: how to reach it, and how to leave. */
export interface SubscriberSession {
  readonly route: SubscriberRoute;
  /** WebRTC: applies the subscriber's answer to the server's offer. */
  answer?(answerSdp: string): Promise<void>;
  close(): Promise<void>;
}

/** A Node server's memory: as it is (what RSS holds), and live after a full collection. */
export interface ServerHeapUsage {
  readonly asIs: HeapUsage;
  readonly live: HeapUsage;
}

/** A forwarding server under test: it takes one publisher's stream to many subscribers. */
export interface Target {
  readonly name: string;
  start(): Promise<void>;
  publisherEntry(): PublisherEntry;
  openSubscriber(): Promise<SubscriberSession>;
  /** Every process of the server: their CPU and memory are what the benchmark measures. */
  serverPids(): readonly number[];
  /** Writes a heap snapshot of the server when the run asked for them; resolves with its path. */
  writeHeapSnapshot?(): Promise<string | undefined>;
  /** The server's heap figures when the run asked for them (Node servers only). */
  heapUsage?(): Promise<ServerHeapUsage | undefined>;
  stop(): Promise<void>;
}

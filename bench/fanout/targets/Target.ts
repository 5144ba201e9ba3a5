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

/** A forwarding server under test: it takes one publisher's stream to many subscribers. */
export interface Target {
  readonly name: string;
  start(): Promise<void>;
  publisherEntry(): PublisherEntry;
  openSubscriber(): Promise<SubscriberSession>;
  /** Every process of the server: their CPU and memory are what the benchmark measures. */
  serverPids(): readonly number[];
  stop(): Promise<void>;
}

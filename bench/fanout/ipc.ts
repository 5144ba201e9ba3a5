// The messages between the benchmark's main process and its child processes (Node IPC channel).
// Times are process.hrtime in milliseconds: one monotonic clock for every process of the machine.
import type { MediaKind } from './rtp.js';

/** Where the publisher sends: plain RTP to UDP ports, or a WebRTC peer it negotiates through main. */
export type PublisherRoute =
  | {
      readonly kind: 'udp';
      readonly host: string;
      readonly videoPort: number;
      readonly audioPort: number;
    }
  | { readonly kind: 'webrtc' };

/** Packets the publisher sent, as parallel arrays (one entry per packet, in send order). */
export interface SendLog {
  readonly kinds: readonly MediaKind[];
  readonly sequenceNumbers: readonly number[];
  readonly timesMs: readonly number[];
}

/**
 * The first packet of a kind a subscriber could decrypt: what the publisher's log needs to tell
 * how the server numbers this subscriber's packets (see ArrivalLog.sequenceOffsets).
 */
export interface SequenceAnchor {
  readonly kind: MediaKind;
  readonly sequenceNumber: number;
  readonly arrivalMs: number;
  /** mediaDigest() of its payload. */
  readonly digest: string;
}

export type ToPublisher =
  | { readonly type: 'start'; readonly route: PublisherRoute }
  | { readonly type: 'answer'; readonly sdp: string }
  | {
      readonly type: 'sends';
      readonly requestId: number;
      readonly fromMs: number;
      readonly toMs: number;
    }
  /** Which packet the anchor is: the last one sent before it arrived with the same media. */
  | { readonly type: 'locate'; readonly requestId: number; readonly anchor: SequenceAnchor }
  | { readonly type: 'stop' };

export type FromPublisher =
  | { readonly type: 'offer'; readonly sdp: string }
  /** Media flows from now on. */
  | { readonly type: 'started' }
  | { readonly type: 'sends'; readonly requestId: number; readonly log: SendLog }
  | { readonly type: 'located'; readonly requestId: number; readonly sequenceNumber: number | null }
  | { readonly type: 'error'; readonly message: string };

/** How a subscriber reaches its server: a WebRTC offer to answer, or a relay's UDP address. */
export type SubscriberRoute =
  | { readonly kind: 'webrtc'; readonly offer: string }
  | {
      readonly kind: 'udp';
      readonly host: string;
      readonly port: number;
      /** The relay encrypts each packet for each subscriber (AES-128-GCM, as SRTP's AEAD mode). */
      readonly encrypted: boolean;
    };

export type ToSubscriberProcess =
  | { readonly type: 'open'; readonly id: number; readonly route: SubscriberRoute }
  | { readonly type: 'close'; readonly id: number }
  | {
      readonly type: 'sequence-offsets';
      readonly id: number;
      readonly offsets: Partial<Record<MediaKind, number>>;
    }
  /** A measurement window starts: event-loop delay is measured from here. */
  | { readonly type: 'window-start' }
  /** `idsBelow`: only the subscribers opened before that id (those served before a burst). */
  | {
      readonly type: 'report';
      readonly requestId: number;
      readonly sends: SendLog;
      readonly idsBelow?: number;
    }
  | { readonly type: 'stop' };

export type FromSubscriberProcess =
  /** WebRTC: the answer to send to the server. UDP: the registration was sent. */
  | { readonly type: 'opened'; readonly id: number; readonly answer?: string }
  | { readonly type: 'first-rtp'; readonly id: number; readonly atMs: number }
  | { readonly type: 'anchor'; readonly id: number; readonly anchor: SequenceAnchor }
  | { readonly type: 'failed'; readonly id: number; readonly message: string }
  | { readonly type: 'report'; readonly requestId: number; readonly report: SubscriberReport };

/** What the subscribers of one process received of the packets sent in a window. */
export interface SubscriberReport {
  readonly subscribers: number;
  /** Packets sent in the window, times subscribers that were receiving. */
  readonly expected: number;
  /** Of those, packets that arrived (matched by media kind and sequence number). */
  readonly received: number;
  /** Loss of the subscriber that lost most, 0..1. */
  readonly worstLoss: number;
  /** Latency (arrival − publisher send) histogram: [bin, count], bins of LATENCY_BIN_MS. */
  readonly latencyBins: readonly (readonly [number, number])[];
  /** Sampled packets fully decrypted (SRTP or GCM), and how many failed authentication. */
  readonly decrypted: number;
  readonly decryptFailures: number;
  /** RTP datagrams counted since the process started (all subscribers). */
  readonly rtpDatagrams: number;
  /** The process's event-loop delay since the window started: a busy receiver shows here. */
  readonly eventLoopDelayMs: { readonly p99: number; readonly max: number };
}

export const LATENCY_BIN_MS = 0.05;
export const LATENCY_BINS = 40_000;

export type FromRelay = { readonly type: 'listening'; readonly port: number };

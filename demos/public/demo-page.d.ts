// Types of demo-page.js, for the TypeScript apps (React, Vue) that import it for its global:
// `import '../../public/demo-page.js';` then `demoPage.peerStatsRows(...)`.
import type { ConnectionState, DisconnectReason, SignalingClient } from '@medley/signaling';
import type { PeerStats, WebRtcPeer, WebRtcPeerMode } from '@medley/webrtc-peer';

export type PeerStatsRowKey =
  | 'bitrateIn'
  | 'bitrateOut'
  | 'fps'
  | 'resolution'
  | 'rtt'
  | 'packetsLost'
  | 'framesDecoded'
  | 'framesEncoded';

export interface PeerStatsRow {
  /** Stable across refreshes: a `data-stat` attribute for styling and tests. */
  key: PeerStatsRowKey;
  label: string;
  value: string;
}

/** A signaling connection's state and what is known of it, as `signalingStateInWords` reads it. */
export interface SignalingStatus {
  state: ConnectionState;
  /** While reconnecting: which attempt this is. */
  attempt?: number;
  /** Once disconnected: why. */
  reason?: DisconnectReason;
}

export interface DemoPage {
  /** Words a person can act on for a failure; `retry` names the button that tries again. */
  explain(error: unknown, retry: string): string;
  explainMediaServerFailure(message: string, retry: string): string;
  mediaStateInWords(state: RTCPeerConnectionState): string;
  signalingStateInWords(state: ConnectionState, detail?: Omit<SignalingStatus, 'state'>): string;
  /** The rows of the live stats panel, for a peer of `mode` (default `sendrecv`). */
  peerStatsRows(stats: PeerStats, mode?: WebRtcPeerMode): PeerStatsRow[];
  /** Refreshes `panel` with `peer`'s stats every second; the function returned stops it. */
  watchStats(panel: HTMLElement, peer: WebRtcPeer): () => void;
  /** Keeps `element` saying in words how the page is connected (demo server, media). */
  connectionStatus(element: HTMLElement): {
    signaling(client: SignalingClient): void;
    /** `undefined` removes the media part, once the peer is disposed. */
    media(peer: WebRtcPeer | undefined, label?: string): void;
    clear(): void;
  };
  mediaConstraintsFromQuery(): MediaStreamConstraints | undefined;
  elementsById<Id extends string>(ids: readonly Id[]): Record<Id, HTMLElement>;
}

declare global {
  var demoPage: DemoPage;
}

// What the one-to-many and group-call pages expose on `window`, as the end-to-end tests read it.
import type { SignalingClient } from '@medley/signaling';
import type { WebRtcPeer } from '@medley/webrtc-peer';

/** performance.now() of each step of a page's last start. */
export interface StartTimeline {
  offerAt?: number;
  connectedAt?: number;
  firstFrameAt?: number;
}

export interface RemoteParticipant {
  readonly name: string;
  readonly peer: WebRtcPeer | undefined;
  readonly timeline: StartTimeline;
}

declare global {
  interface Window {
    one2many: {
      readonly role: 'presenter' | 'viewer' | undefined;
      readonly peer: WebRtcPeer | undefined;
      readonly client: SignalingClient | undefined;
      readonly viewerCount: number | undefined;
      readonly timeline: StartTimeline;
    };
    groupCall: {
      readonly room: string | undefined;
      readonly participantId: string | undefined;
      readonly publisher: WebRtcPeer | undefined;
      readonly client: SignalingClient | undefined;
      /** The other participants on screen, by participant id. */
      readonly remotes: ReadonlyMap<string, RemoteParticipant>;
    };
  }
}

// What the one-to-many, group-call and mixed-room pages expose on `window`, as the end-to-end tests read it.
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
    mcuRoom: {
      readonly room: string | undefined;
      readonly participantId: string | undefined;
      /** The page's one peer: its camera into the mix, the mix back. */
      readonly peer: WebRtcPeer | undefined;
      readonly client: SignalingClient | undefined;
      /** Everyone in the room, the page included, in joining order. */
      readonly participants: readonly { id: string; name: string }[];
    };
  }
}

// The one-to-many demo's signaling contract, on the socket.io namespace `/one2many`.
//
// A page takes a role by the peerId of its attachPeer() link: `presenter` (a sendonly
// WebRtcPeer: its offer starts the broadcast) or `viewer` (a recvonly WebRtcPeer: its offer gets
// an endpoint fed by the presenter's). `peer:offer` is rejected, with a message to show, when a
// presenter exists already, when there is no presenter to watch, or when the page already has a
// role. Candidates go both ways as `peer:candidate` with the offer's peerId and epoch.
import type { PeerSignalingProtocol } from '@medley/signaling';

/** The peerIds of the demo: a page's role. */
export type OneToManyRole = 'presenter' | 'viewer';

export interface OneToManyProtocol {
  requests: PeerSignalingProtocol['requests'] & {
    /**
     * Leaves the page's role: a presenter ends the broadcast (every viewer gets
     * `one2many.ended`), a viewer's endpoint is released. Without a role it does nothing.
     */
    'one2many.stop': { request: Record<string, never>; response: undefined };
  };
  events: PeerSignalingProtocol['events'] & {
    /** How many viewers watch, to the presenter and to every viewer, whenever it changes. */
    'one2many.viewers': { count: number };
    /**
     * To each viewer: the broadcast is over, and why, in words. The viewer has no role any more.
     * `lost`: the page's app server went away and the one it reconnected to could not take its
     * media over (sent to a presenter too).
     */
    'one2many.ended': { reason: 'stopped' | 'left' | 'lost'; message: string };
  };
}

// The group-call demo's signaling contract, on the socket.io namespace `/group-call`.
//
// A page joins a room (`group.join`), then publishes its camera once: an attachPeer() link with
// peerId `publish` on a sendonly WebRtcPeer. For every other participant it receives through a
// recvonly WebRtcPeer linked with peerId `subscribe:<participantId>`; each such offer gets an
// endpoint fed by that participant's. Candidates go both ways as `peer:candidate` with the
// offer's peerId and epoch.
import type { PeerSignalingProtocol } from '@medley/signaling';

/** A participant as the others see it. The id is not the signaling session id (that stays secret). */
export interface GroupCallParticipant {
  id: string;
  name: string;
}

/** The peerId of the page's own camera. */
export type PublishPeerId = 'publish';
/** The peerId of the stream received from one participant. */
export type SubscribePeerId = `subscribe:${string}`;

export interface GroupCallProtocol {
  requests: PeerSignalingProtocol['requests'] & {
    /**
     * Enters a room (created on first join). Answers the page's participant id and the
     * participants already publishing, to subscribe to. Names: 1 to 64 characters.
     */
    'group.join': {
      request: { room: string; name: string };
      response: { participantId: string; participants: GroupCallParticipant[] };
    };
    /** Leaves the room: every endpoint of the page is released. Outside a room it does nothing. */
    'group.leave': { request: Record<string, never>; response: undefined };
  };
  events: PeerSignalingProtocol['events'] & {
    /** Someone published in the room: subscribe to them now. */
    'group.participantJoined': { participant: GroupCallParticipant };
    /** Someone left the room (or their page went away): their streams are gone. */
    'group.participantLeft': { participantId: string };
    /**
     * The room is over for everyone (its media server went away), with what to tell the person.
     * The page is out of the room; joining again opens it anew, on a media server that is up.
     */
    'group.ended': { message: string };
  };
}

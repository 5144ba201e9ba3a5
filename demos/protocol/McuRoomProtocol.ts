// The mixed (MCU) room demo's signaling contract, on the socket.io namespace `/mcu-room`.
//
// A page joins a room (`mcu.join`), then links one sendrecv WebRtcPeer with peerId `mix`: its
// camera and microphone go into the room's Composite, and it receives the mix (everyone's video in
// one grid, the others' voices without its own). Candidates go both ways as `peer:candidate` with
// the offer's peerId and epoch.
import type { PeerSignalingProtocol } from '@medley/signaling';

/** A participant as the others see it. The id is not the signaling session id (that stays secret). */
export interface McuRoomParticipant {
  id: string;
  name: string;
}

/** The peerId of the page's one peer: its media into the mix, the mix back. */
export type MixPeerId = 'mix';

export interface McuRoomProtocol {
  requests: PeerSignalingProtocol['requests'] & {
    /**
     * Enters a room (created on first join). Answers the page's participant id and everyone in
     * the room before it, in joining order (the order of the grid). Names: 1 to 64 characters.
     */
    'mcu.join': {
      request: { room: string; name: string };
      response: { participantId: string; participants: McuRoomParticipant[] };
    };
    /** Leaves the room: the page's endpoint and port are released. Outside a room it does nothing. */
    'mcu.leave': { request: Record<string, never>; response: undefined };
  };
  events: PeerSignalingProtocol['events'] & {
    /** Someone entered the room: their picture joins the grid once their media flows. */
    'mcu.participantJoined': { participant: McuRoomParticipant };
    /** Someone left the room (or their page went away): the grid shrinks. */
    'mcu.participantLeft': { participantId: string };
    /**
     * The room is over for everyone (its media server went away), with what to tell the person.
     * The page is out of the room; joining again opens it anew, on a media server that is up.
     */
    'mcu.ended': { message: string };
  };
}

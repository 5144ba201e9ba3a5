/**
 * WHIP (RFC 9725) and WHEP clients: {@link publishWhip} sends a stream to a media server's WHIP
 * endpoint, {@link playWhep} plays one from its WHEP endpoint, each over a plain
 * RTCPeerConnection, with trickle ICE, ICE restart and DELETE on close. No signaling server and
 * no other dependency: import them from `@medley/webrtc-peer/whip` (the script-tag bundle has
 * them on the `medley` global too).
 *
 * @module @medley/webrtc-peer/whip
 */
export { type PlayWhepOptions, playWhep } from './playWhep.js';
export { type PublishWhipOptions, publishWhip } from './publishWhip.js';
export { WhipError, type WhipErrorCode } from './WhipError.js';
export {
  type WhipClientOptions,
  WhipSession,
  type WhipSessionEvents,
  type WhipSessionState,
} from './WhipSession.js';

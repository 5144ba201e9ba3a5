/**
 * A trickle-ICE candidate as it travels through signaling: the shape of the browser's
 * `RTCIceCandidateInit`, which `RTCIceCandidate` (and its `toJSON()`) also satisfies.
 */
export interface IceCandidateInit {
  /** The `candidate:` line; empty for end-of-candidates. */
  candidate: string;
  /** The `a=mid` of the m= section the candidate belongs to. */
  sdpMid?: string | null;
  /** The index of that m= section, from 0. */
  sdpMLineIndex?: number | null;
  /** The ICE username fragment of the session it was gathered for. */
  usernameFragment?: string | null;
}

/**
 * What the signaling wiring needs from a WebRTC peer: `WebRtcPeer` of @medley/webrtc-peer has this
 * shape, and so can a small adapter around any `RTCPeerConnection`. Results of `processAnswer`
 * and `addIceCandidate` may be promises; they are awaited.
 */
export interface NegotiablePeer {
  /** Creates the local offer, applies it, and returns its SDP. */
  generateOffer(): Promise<string>;
  /** Applies the remote answer to an offer made by `generateOffer()`. */
  processAnswer(sdpAnswer: string): unknown;
  /** Applies a remote offer, and returns the SDP of the local answer (already applied). */
  processOffer(sdpOffer: string): Promise<string>;
  /** Adds a remote candidate. The wiring only calls it once the remote description is applied. */
  addIceCandidate(candidate: IceCandidateInit): unknown;
  /** Subscribes to local candidates, to send to the other side. */
  on(event: 'icecandidate', listener: (candidate: IceCandidateInit) => void): unknown;
  /** Unsubscribes, when the wiring is detached. */
  off(event: 'icecandidate', listener: (candidate: IceCandidateInit) => void): unknown;
}

/** A plain copy that survives JSON: drops methods and fields the signaling does not carry. */
export function toCandidateInit(candidate: IceCandidateInit): IceCandidateInit {
  const init: IceCandidateInit = { candidate: candidate.candidate };
  if (candidate.sdpMid != null) init.sdpMid = candidate.sdpMid;
  if (candidate.sdpMLineIndex != null) init.sdpMLineIndex = candidate.sdpMLineIndex;
  if (candidate.usernameFragment != null) init.usernameFragment = candidate.usernameFragment;
  return init;
}

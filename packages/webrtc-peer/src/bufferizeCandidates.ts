import { callUser } from './userCallbacks.js';

/** kurento-utils' callback shape: called with nothing on success, with the error otherwise. */
export type CandidateCallback = (error?: unknown) => void;

/**
 * kurento-utils' `bufferizeCandidates(pc, onerror)`: returns an `addIceCandidate(candidate,
 * callback)` that holds remote candidates until `pc` has a remote description and a stable
 * signaling state, then adds them in order. A closed connection answers with an Error.
 */
export function bufferizeCandidates(
  pc: RTCPeerConnection,
  onerror?: CandidateCallback,
): (candidate: RTCIceCandidateInit, callback?: CandidateCallback) => void {
  const queue: { candidate: RTCIceCandidateInit; callback: CandidateCallback | undefined }[] = [];
  const add = (candidate: RTCIceCandidateInit, callback: CandidateCallback | undefined) => {
    pc.addIceCandidate(candidate).then(
      () => callUser(callback),
      (error: unknown) => callUser(callback, error),
    );
  };
  pc.addEventListener('signalingstatechange', () => {
    if (pc.signalingState !== 'stable' || !pc.remoteDescription) return;
    for (let entry = queue.shift(); entry; entry = queue.shift())
      add(entry.candidate, entry.callback);
  });
  return (candidate, callback = onerror) => {
    if (pc.signalingState === 'closed') {
      callUser(callback, new Error('PeerConnection object is closed'));
    } else if (pc.signalingState === 'stable' && pc.remoteDescription) {
      add(candidate, callback);
    } else {
      queue.push({ candidate, callback });
    }
  };
}

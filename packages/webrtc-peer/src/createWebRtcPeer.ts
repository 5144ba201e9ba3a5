import { WebRtcPeer, type WebRtcPeerOptions } from './WebRtcPeer.js';

/** The options of a {@link WebRtcPeer}, but the mode, which the helper's name gives. */
export type ModeOptions = Omit<WebRtcPeerOptions, 'mode'>;

/** Creates a peer and captures its media, so that permission and device errors surface here. */
export async function createWebRtcPeer(options: WebRtcPeerOptions): Promise<WebRtcPeer> {
  const peer = new WebRtcPeer(options);
  try {
    await peer.start();
  } catch (error) {
    peer.dispose();
    throw error;
  }
  return peer;
}

/** Sends and receives (a call, a loopback). */
export function createSendrecvPeer(options: ModeOptions = {}): Promise<WebRtcPeer> {
  return createWebRtcPeer({ ...options, mode: 'sendrecv' });
}

/** Only sends (a presenter, a recording). */
export function createSendonlyPeer(options: ModeOptions = {}): Promise<WebRtcPeer> {
  return createWebRtcPeer({ ...options, mode: 'sendonly' });
}

/** Only receives (a viewer, a playback); captures nothing. */
export function createRecvonlyPeer(options: ModeOptions = {}): Promise<WebRtcPeer> {
  return createWebRtcPeer({ ...options, mode: 'recvonly' });
}

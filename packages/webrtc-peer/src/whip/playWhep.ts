import { peerConfiguration, type WhipClientOptions, WhipSession } from './WhipSession.js';

/** What {@link playWhep} receives. */
export interface PlayWhepOptions extends WhipClientOptions {
  /** Receive the stream's audio. Default true. */
  audio?: boolean;
  /** Receive the stream's video. Default true. */
  video?: boolean;
}

/**
 * Plays a stream from a WHEP endpoint, e.g. `https://media.example.com/whep/studio`: POSTs a
 * receive-only offer, applies the answer, trickles candidates by PATCH and restarts ICE when the
 * connection fails. The session's `stream` holds the remote tracks once this resolves.
 *
 * @example
 * const session = await playWhep('/whep/studio');
 * video.srcObject = session.stream;
 * @throws WhipError when the server refuses (`NOT_FOUND`: nobody publishes the stream) or
 *   cannot be reached.
 */
export function playWhep(url: string, options: PlayWhepOptions = {}): Promise<WhipSession> {
  const connection = new RTCPeerConnection(peerConfiguration(options));
  const stream = new MediaStream();
  connection.ontrack = ({ track }) => stream.addTrack(track);
  if (options.audio !== false) connection.addTransceiver('audio', { direction: 'recvonly' });
  if (options.video !== false) connection.addTransceiver('video', { direction: 'recvonly' });
  return new WhipSession(connection, stream, options, false).start(url);
}

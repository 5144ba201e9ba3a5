import { captureMedia } from '../media.js';
import { peerConfiguration, type WhipClientOptions, WhipSession } from './WhipSession.js';

/** What {@link publishWhip} sends, and how. */
export interface PublishWhipOptions extends WhipClientOptions {
  /** The stream to send; it stays yours (closing the session does not stop its tracks). */
  stream?: MediaStream;
  /** Tracks to send instead of a stream; they stay yours too. */
  tracks?: readonly MediaStreamTrack[];
  /**
   * What to capture when neither `stream` nor `tracks` is given. Default
   * `{ audio: true, video: true }` (the browser's default camera size and frame rate).
   */
  constraints?: MediaStreamConstraints;
  /** The video sender's encodings: several `rid`s for simulcast, or a `maxBitrate`. */
  sendEncodings?: RTCRtpEncodingParameters[];
}

/**
 * Publishes a stream to a WHIP endpoint (RFC 9725), e.g. `https://media.example.com/whip/studio`:
 * captures the camera and microphone unless given media, POSTs the offer, applies the answer,
 * trickles candidates by PATCH and restarts ICE when the connection fails.
 *
 * @example
 * const session = await publishWhip('/whip/studio', { token });
 * session.on('statechange', (state) => console.log(state));
 * await session.close(); // DELETE: the stream ends for its viewers
 * @throws WhipError when the server refuses (code per HTTP status) or cannot be reached;
 *   WebRtcPeerError when the camera or microphone cannot be captured.
 */
export async function publishWhip(
  url: string,
  options: PublishWhipOptions = {},
): Promise<WhipSession> {
  const given = options.stream ?? (options.tracks && new MediaStream([...options.tracks]));
  const stream =
    given ?? (await captureMedia('webcam', options.constraints ?? { audio: true, video: true }));
  const connection = new RTCPeerConnection(peerConfiguration(options));
  for (const track of stream.getTracks()) {
    const video = track.kind === 'video' && options.sendEncodings;
    connection.addTransceiver(track, {
      direction: 'sendonly',
      streams: [stream],
      ...(video ? { sendEncodings: options.sendEncodings } : {}),
    });
  }
  return new WhipSession(connection, stream, options, !given).start(url);
}

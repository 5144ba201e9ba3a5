import type { SignalingStatus } from '../../public/demo-page.js';

/** The plain pages' connection line: the demo server and the media connection, in words. */
export function ConnectionStatus({
  signaling,
  media,
}: {
  signaling: SignalingStatus | undefined;
  media: RTCPeerConnectionState | undefined;
}) {
  return (
    <p id="connection" className="connection" role="status">
      {signaling && (
        <span data-link="server" data-state={signaling.state}>
          Demo server: {demoPage.signalingStateInWords(signaling.state, signaling)}
        </span>
      )}
      {media && (
        <span data-link="media" data-state={media}>
          Media: {demoPage.mediaStateInWords(media)}
        </span>
      )}
    </p>
  );
}

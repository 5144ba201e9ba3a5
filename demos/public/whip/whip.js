// The WHIP/WHEP demo page: publishWhip() sends the camera, playWhep() plays the stream back, both
// from the `medley` global of the webrtc-peer UMD bundle, against this origin's /whip/ and /whep/
// (the app server forwards them to its media server: demos/server/routes/whipProxy.ts).
const { publishWhip, playWhep } = medley;

const elements = demoPage.elementsById([
  'form',
  'stream',
  'token',
  'publish',
  'play',
  'stop',
  'publisherState',
  'viewerState',
  'error',
  'localVideo',
  'remoteVideo',
  'stats',
  'obsUrl',
]);

/** The page's sessions, exposed for debugging and end-to-end tests. */
window.whipDemo = { publisher: undefined, viewer: undefined };

const streamName = () => elements.stream.value.trim();
const options = () => (elements.token.value ? { token: elements.token.value } : {});
const showObsUrl = () => {
  elements.obsUrl.textContent = `${location.origin}/whip/${encodeURIComponent(streamName())}`;
};
showObsUrl();
elements.stream.addEventListener('input', showObsUrl);
elements.form.addEventListener('submit', (event) => event.preventDefault());
elements.publish.addEventListener('click', () => start('publisher'));
elements.play.addEventListener('click', () => start('viewer'));
elements.stop.addEventListener('click', stopAll);

/** Publishes (role `publisher`) or plays (role `viewer`) the stream named in the form. */
async function start(role) {
  if (!elements.form.reportValidity()) return;
  showError('');
  const name = encodeURIComponent(streamName());
  const button = role === 'publisher' ? elements.publish : elements.play;
  button.disabled = true;
  elements.stop.disabled = false;
  showState(role, 'connecting', role === 'publisher' ? 'publishing…' : 'starting…');
  try {
    const session =
      role === 'publisher'
        ? await publishWhip(`/whip/${name}`, options())
        : await playWhep(`/whep/${name}`, options());
    window.whipDemo[role] = session;
    const video = role === 'publisher' ? elements.localVideo : elements.remoteVideo;
    video.srcObject = session.stream;
    follow(role, session);
  } catch (error) {
    button.disabled = false;
    elements.stop.disabled = !window.whipDemo.publisher && !window.whipDemo.viewer;
    showState(role, 'failed', 'failed');
    showError(explain(error, role));
  }
}

/** Shows the session's state as it changes, its failures in words, and (viewer) live stats. */
function follow(role, session) {
  showState(role, session.state, session.state);
  session.on('statechange', (state) => showState(role, state, state));
  session.on('error', (error) => showError(explain(error, role)));
  if (role === 'viewer') {
    // Only the stats a WebRtcPeer's panel shows that need no WebRtcPeer: frames decoded, size.
    const timer = setInterval(async () => {
      if (window.whipDemo.viewer !== session) return clearInterval(timer);
      let framesDecoded = 0;
      for (const stat of (await session.peerConnection.getStats()).values()) {
        if (stat.type === 'inbound-rtp' && stat.kind === 'video')
          framesDecoded += stat.framesDecoded ?? 0;
      }
      elements.stats.hidden = false;
      elements.stats.textContent = `Frames decoded: ${framesDecoded} · ${elements.remoteVideo.videoWidth}×${elements.remoteVideo.videoHeight}`;
    }, 1000);
  }
}

/** Ends both sessions: each DELETEs its resource, so the server frees the stream at once. */
async function stopAll() {
  const { publisher, viewer } = window.whipDemo;
  window.whipDemo.publisher = undefined;
  window.whipDemo.viewer = undefined;
  elements.publish.disabled = false;
  elements.play.disabled = false;
  elements.stop.disabled = true;
  elements.stats.hidden = true;
  for (const video of [elements.localVideo, elements.remoteVideo]) video.srcObject = null;
  // The viewer first: once the publisher's DELETE ended the stream, the viewer's would be a 404.
  await viewer?.close();
  await publisher?.close();
  showState('publisher', 'idle', 'idle');
  showState('viewer', 'idle', 'idle');
}

/** A failure in words a person can act on; the server's own words where it gave some. */
function explain(error, role) {
  const stream = streamName();
  const retry = role === 'publisher' ? 'Publish' : 'Play';
  const server = error?.serverMessage ? ` The server says: ${error.serverMessage}` : '';
  switch (error?.code) {
    case 'NOT_FOUND':
      return `Nobody publishes stream "${stream}" yet: press Publish here or in another tab (or start OBS), then ${retry} again.`;
    case 'UNAUTHORIZED':
      return `The token was refused: enter the app server's WHIP_TOKEN in the Token field and press ${retry} again.${server}`;
    case 'CONFLICT':
      return `Stream "${stream}" is already being published, by another tab or tool: stop it there, or choose another stream name.`;
    case 'UNAVAILABLE':
      return `The media server is too busy${error.retryAfterSeconds ? `: retry in ${error.retryAfterSeconds} s` : ''}.${server}`;
    default:
      return demoPage.explain(error, retry);
  }
}

function showState(role, state, words) {
  const element = role === 'publisher' ? elements.publisherState : elements.viewerState;
  element.dataset.state = state;
  element.textContent = `${role === 'publisher' ? 'Publisher' : 'Viewer'}: ${words}`;
}

function showError(message) {
  elements.error.textContent = message;
}

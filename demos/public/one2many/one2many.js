// The one-to-many demo page: present (a sendonly WebRtcPeer) or view (a recvonly one), wired to
// the app server's `/one2many` signaling namespace. Loaded with plain script tags: `medley`
// (webrtc-peer) and `medleySignaling` are globals of the UMD bundles.
const { WebRtcPeer } = medley;
const { SignalingClient, attachPeer } = medleySignaling;

const elements = demoPage.elementsById([
  'present',
  'view',
  'stop',
  'state',
  'viewers',
  'connection',
  'message',
  'error',
  'video',
  'caption',
  'stats',
]);
const connection = demoPage.connectionStatus(elements.connection);

/**
 * What the camera sends. `?video=320x240@15` asks for a smaller picture (the end-to-end tests
 * use it to spare the CPU); the default is WebRtcPeer's.
 */
const mediaConstraints = demoPage.mediaConstraintsFromQuery();

/** The page's current role, if any: { role, client, peer, link }. */
let current;
/** Exposed for debugging and end-to-end tests. */
window.one2many = {
  get role() {
    return current?.role;
  },
  get peer() {
    return current?.peer;
  },
  get client() {
    return current?.client;
  },
  viewerCount: undefined,
  /** performance.now() of each step of the last start: offerAt, connectedAt, firstFrameAt. */
  timeline: {},
};

elements.present.addEventListener('click', () => start('presenter'));
elements.view.addEventListener('click', () => start('viewer'));
elements.stop.addEventListener('click', () => stop('stopped'));

async function start(role) {
  showError('');
  showMessage('');
  setBusy(true);
  setState(role === 'presenter' ? 'starting the broadcast' : 'joining the broadcast');
  elements.caption.textContent =
    role === 'presenter' ? 'Your camera (what viewers see)' : 'The presenter';
  const timeline = {};
  window.one2many.timeline = timeline;
  const session = { role };
  current = session;
  try {
    session.client = await SignalingClient.connect(`${location.origin}/one2many`);
    connection.signaling(session.client);
    session.peer =
      role === 'presenter'
        ? new WebRtcPeer({ mode: 'sendonly', localVideo: elements.video, mediaConstraints })
        : new WebRtcPeer({ mode: 'recvonly', remoteVideo: elements.video });
    session.link = attachPeer(session.client, session.peer, { peerId: role });
    connection.media(session.peer, role === 'presenter' ? 'Your camera' : 'Broadcast');
    session.stopStats = demoPage.watchStats(elements.stats, session.peer);
    watch(session, timeline);
    timeline.offerAt = performance.now();
    await session.link.offer();
    if (current === session) setState(session.peer.peerConnection.connectionState);
  } catch (error) {
    if (current !== session) return; // stopped meanwhile: the failure is moot
    const rejected = error?.code === 'REJECTED';
    stop(rejected ? 'rejected' : 'failed', { tellServer: !rejected });
    showError(demoPage.explain(error, role === 'presenter' ? 'Present' : 'View'));
  }
}

/** Listens to what the server and the connection report for this role. */
function watch(session, timeline) {
  const { client, peer, link, role } = session;
  client.on('one2many.viewers', ({ count }) => showViewers(count));
  client.on('one2many.ended', ({ message }) => {
    stop('ended', { tellServer: false });
    showMessage(message);
  });
  client.connection.on('reconnecting', () => setState('reconnecting'));
  client.connection.on('connected', ({ resumed }) => {
    if (current !== session) return;
    if (resumed) setState(peer.peerConnection.connectionState);
    else lost('The server forgot this page while it was away');
  });
  client.connection.on('disconnected', () => {
    if (current === session)
      lost('The connection to the demo server was lost and could not be restored');
  });
  peer.on('connectionstatechange', (state) => {
    if (current !== session) return;
    setState(state);
    if (state === 'connected') timeline.connectedAt ??= performance.now();
  });
  const retry = role === 'presenter' ? 'Present' : 'View';
  peer.on('error', (error) => showError(demoPage.explain(error, retry)));
  link.on('error', (error) => showError(demoPage.explain(error, retry)));
  if (role === 'viewer')
    onFirstFrame(elements.video, () => {
      timeline.firstFrameAt ??= performance.now();
    });
}

function lost(reason) {
  const role = current?.role;
  stop('disconnected', { tellServer: false });
  showError(`${reason}. Press ${role === 'presenter' ? 'Present' : 'View'} to start again.`);
}

/**
 * Leaves the current role. `tellServer: false` when the server ended it already (or never gave
 * it): then the page only cleans up.
 */
function stop(state, { tellServer = true } = {}) {
  const session = current;
  current = undefined;
  setBusy(false);
  setState(state);
  showViewers(undefined);
  connection.clear();
  if (!session) return;
  session.stopStats?.();
  session.link?.detach();
  session.peer?.dispose();
  const { client } = session;
  if (!client) return;
  const leaving = tellServer
    ? client.request('one2many.stop', {}).catch(() => undefined)
    : Promise.resolve();
  leaving.finally(() => client.close());
}

/** Calls `callback` once, when `video` presents its first frame. */
function onFirstFrame(video, callback) {
  if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(() => callback());
  else video.addEventListener('loadeddata', callback, { once: true });
}

function showViewers(count) {
  window.one2many.viewerCount = count;
  elements.viewers.hidden = count === undefined;
  elements.viewers.textContent = count === 1 ? '1 viewer' : `${count} viewers`;
}

function setBusy(busy) {
  elements.present.disabled = busy;
  elements.view.disabled = busy;
  elements.stop.disabled = !busy;
}

function setState(state) {
  elements.state.textContent = state;
}

function showMessage(message) {
  elements.message.textContent = message;
}

function showError(message) {
  elements.error.textContent = message;
}

// The loopback demo page: a WebRtcPeer wired to the app server by Medley signaling. Loaded with
// plain script tags: `medley` (webrtc-peer) and `medleySignaling` are globals of the UMD bundles.
const { WebRtcPeer } = medley;
const { SignalingClient, attachPeer } = medleySignaling;

const elements = demoPage.elementsById([
  'localVideo',
  'remoteVideo',
  'start',
  'stop',
  'state',
  'connection',
  'error',
  'stats',
]);
const connection = demoPage.connectionStatus(elements.connection);

/** The current call, also exposed as `window.loopback` for debugging and end-to-end tests. */
let call;
window.loopback = {
  get peer() {
    return call?.peer;
  },
  get client() {
    return call?.client;
  },
};

elements.start.addEventListener('click', start);
elements.stop.addEventListener('click', stop);

async function start() {
  showError('');
  setState('starting');
  elements.start.disabled = true;
  elements.stop.disabled = false;
  try {
    const client = await SignalingClient.connect(location.origin);
    connection.signaling(client);
    client.connection.on('reconnecting', () => setState('reconnecting'));
    client.connection.on('connected', ({ resumed }) => {
      if (!call) return;
      setState(call.peer.peerConnection?.connectionState ?? 'connected');
      // A new session means the server released our call: negotiate it again.
      if (!resumed) call.link.offer().catch((error) => showError(demoPage.explain(error, 'Start')));
    });
    client.connection.on('disconnected', ({ reason, error }) => {
      if (call?.client !== client || reason === 'closed') return;
      stop();
      setState('disconnected');
      showError(demoPage.explain(error ?? { code: 'DISCONNECTED' }, 'Start'));
    });
    const peer = new WebRtcPeer({
      mode: 'sendrecv',
      localVideo: elements.localVideo,
      remoteVideo: elements.remoteVideo,
    });
    const link = attachPeer(client, peer, { peerId: 'loopback' });
    call = { client, peer, link, stopStats: demoPage.watchStats(elements.stats, peer) };
    connection.media(peer);
    peer.on('connectionstatechange', (state) => setState(state));
    peer.on('error', (error) => showError(demoPage.explain(error, 'Start')));
    link.on('error', (error) => showError(demoPage.explain(error, 'Start')));
    await link.offer();
  } catch (error) {
    showError(demoPage.explain(error, 'Start'));
    stop();
    setState('failed');
  }
}

function stop() {
  const current = call;
  call = undefined;
  elements.start.disabled = false;
  elements.stop.disabled = true;
  setState('stopped');
  connection.clear();
  if (!current) return;
  current.stopStats();
  current.link.detach();
  current.client
    .request('loopback.stop', {})
    .catch(() => undefined)
    .finally(() => current.client.close());
  current.peer.dispose();
}

function setState(state) {
  elements.state.textContent = state;
}

function showError(message) {
  elements.error.textContent = message;
}

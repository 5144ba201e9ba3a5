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
  'error',
  'stats',
  'bitrateIn',
  'bitrateOut',
  'fps',
  'resolution',
  'rtt',
  'packetsLost',
  'framesDecoded',
]);

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
    client.connection.on('reconnecting', () => setState('reconnecting'));
    client.connection.on('connected', ({ resumed }) => {
      if (!call) return;
      setState(call.peer.peerConnection?.connectionState ?? 'connected');
      // A new session means the server released our call: negotiate it again.
      if (!resumed) call.link.offer().catch((error) => showError(demoPage.explain(error, 'Start')));
    });
    const peer = new WebRtcPeer({
      mode: 'sendrecv',
      localVideo: elements.localVideo,
      remoteVideo: elements.remoteVideo,
    });
    const link = attachPeer(client, peer, { peerId: 'loopback' });
    call = { client, peer, link, statsTimer: setInterval(showStats, 1000) };
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
  elements.stats.hidden = true;
  setState('stopped');
  if (!current) return;
  clearInterval(current.statsTimer);
  current.link.detach();
  current.client
    .request('loopback.stop', {})
    .catch(() => undefined)
    .finally(() => current.client.close());
  current.peer.dispose();
}

async function showStats() {
  if (!call) return;
  const stats = await call.peer.getStats().catch(() => undefined);
  if (!stats) return;
  const video = stats.inbound.video;
  elements.stats.hidden = false;
  elements.bitrateIn.textContent = kbps(video?.bitrate);
  elements.bitrateOut.textContent = kbps(stats.outbound.video?.bitrate);
  elements.fps.textContent = video?.framesPerSecond?.toFixed(0) ?? '–';
  elements.resolution.textContent = video?.frameWidth
    ? `${video.frameWidth}×${video.frameHeight}`
    : '–';
  elements.rtt.textContent =
    stats.roundTripTime === undefined ? '–' : `${Math.round(stats.roundTripTime * 1000)} ms`;
  elements.packetsLost.textContent = String(video?.packetsLost ?? '–');
  elements.framesDecoded.textContent = String(video?.framesDecoded ?? '–');
}

function kbps(bitsPerSecond) {
  return bitsPerSecond === undefined ? '–' : `${Math.round(bitsPerSecond / 1000)} kbps`;
}

function setState(state) {
  elements.state.textContent = state;
}

function showError(message) {
  elements.error.textContent = message;
}

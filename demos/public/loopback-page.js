// The page logic of the loopback demos (loopback, magic mirror, QR reader): a WebRtcPeer wired to
// the app server by Medley signaling on the demo's namespace, the camera going to the media server
// (through a filter, for the filter demos) and back. `demoLoopbackPage({ namespace, stopRequest,
// peerId, events })` wires the page's elements and returns a getter of the current call
// ({ client, peer, link }). `events` maps signaling event names to handlers (e.g. `qr.code`).
// Loaded with plain script tags: `medley` and `medleySignaling` are the UMD bundles' globals.
window.demoLoopbackPage = ({ namespace = '', stopRequest, peerId, events = {} }) => {
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
  let call;

  const setState = (state) => {
    elements.state.textContent = state;
  };
  const showError = (message) => {
    elements.error.textContent = message;
  };

  async function start() {
    showError('');
    setState('starting');
    elements.start.disabled = true;
    elements.stop.disabled = false;
    try {
      const client = await SignalingClient.connect(`${location.origin}${namespace}`);
      connection.signaling(client);
      client.connection.on('reconnecting', () => setState('reconnecting'));
      client.connection.on('connected', ({ resumed }) => {
        if (!call) return;
        setState(call.peer.peerConnection?.connectionState ?? 'connected');
        // A new session means the server released our call: negotiate it again.
        if (!resumed)
          call.link.offer().catch((error) => showError(demoPage.explain(error, 'Start')));
      });
      client.connection.on('disconnected', ({ reason, error }) => {
        if (call?.client !== client || reason === 'closed') return;
        stop();
        setState('disconnected');
        showError(demoPage.explain(error ?? { code: 'DISCONNECTED' }, 'Start'));
      });
      for (const [event, handler] of Object.entries(events)) client.on(event, handler);
      const peer = new WebRtcPeer({
        mode: 'sendrecv',
        localVideo: elements.localVideo,
        remoteVideo: elements.remoteVideo,
      });
      const link = attachPeer(client, peer, { peerId });
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
      .request(stopRequest, {})
      .catch(() => undefined)
      .finally(() => current.client.close());
    current.peer.dispose();
  }

  elements.start.addEventListener('click', start);
  elements.stop.addEventListener('click', stop);
  return () => call;
};

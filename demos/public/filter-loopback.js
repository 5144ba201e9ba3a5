// The filter demos' page logic (magic mirror, QR reader): the loopback call of loopback.js on
// the demo's own namespace, so the camera goes through the media server's filter and back.
// `demoFilterLoopback(namespace, { onCode })` wires the page; returns the current call's getter.
window.demoFilterLoopback = (namespace, { onCode } = {}) => {
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
        if (!resumed)
          call.link.offer().catch((error) => showError(demoPage.explain(error, 'Start')));
      });
      client.connection.on('disconnected', ({ reason, error }) => {
        if (call?.client !== client || reason === 'closed') return;
        stop();
        setState('disconnected');
        showError(demoPage.explain(error ?? { code: 'DISCONNECTED' }, 'Start'));
      });
      if (onCode) client.on('qr.code', onCode);
      const peer = new WebRtcPeer({
        mode: 'sendrecv',
        localVideo: elements.localVideo,
        remoteVideo: elements.remoteVideo,
      });
      const link = attachPeer(client, peer, { peerId: 'camera' });
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
      .request('filter.stop', {})
      .catch(() => undefined)
      .finally(() => current.client.close());
    current.peer.dispose();
  }

  elements.start.addEventListener('click', start);
  elements.stop.addEventListener('click', stop);
  return () => call;
};

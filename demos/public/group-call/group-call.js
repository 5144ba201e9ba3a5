// The group-call demo page: join a room, publish the camera once (a sendonly WebRtcPeer), and
// receive every other participant through a recvonly WebRtcPeer each, over the app server's
// `/group-call` signaling namespace. Loaded with plain script tags: `medley` (webrtc-peer) and
// `medleySignaling` are globals of the UMD bundles.
const { createSendonlyPeer, WebRtcPeer } = medley;
const { SignalingClient, attachPeer } = medleySignaling;

const elements = demoPage.elementsById([
  'joinForm',
  'room',
  'name',
  'join',
  'leave',
  'state',
  'connection',
  'error',
  'grid',
  'localVideo',
  'localState',
  'localStats',
  'remoteTile',
]);
const connection = demoPage.connectionStatus(elements.connection);

const params = new URLSearchParams(location.search);
elements.room.value = params.get('room') ?? 'lobby';
elements.name.value = params.get('name') ?? `Guest ${Math.floor(100 + Math.random() * 900)}`;
/**
 * What the camera sends. `?video=320x240@15` asks for a smaller picture (the end-to-end tests
 * use it to spare the CPU); the default is WebRtcPeer's.
 */
const mediaConstraints = demoPage.mediaConstraintsFromQuery();

/** The page's call, if any: { room, client, participantId, publisher, remotes }. */
let call;
/** Exposed for debugging and end-to-end tests. */
window.groupCall = {
  get room() {
    return call?.room;
  },
  get participantId() {
    return call?.participantId;
  },
  get publisher() {
    return call?.publisher?.peer;
  },
  get client() {
    return call?.client;
  },
  /** The other participants on screen, by id: { name, peer, timeline }. */
  get remotes() {
    return call?.remotes ?? new Map();
  },
};

elements.joinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  join();
});
elements.leave.addEventListener('click', () => leave('left'));

async function join() {
  const room = elements.room.value.trim();
  const name = elements.name.value.trim();
  // The room goes into the address, so that it can be shared.
  params.set('room', room);
  history.replaceState(null, '', `?${params}`);
  showError('');
  setBusy(true);
  setState('joining');
  const session = { room, remotes: new Map() };
  call = session;
  try {
    session.client = await SignalingClient.connect(`${location.origin}/group-call`);
    connection.signaling(session.client);
    watchServer(session);
    // The camera first: a denied camera fails before the room hears of this page.
    const peer = await createSendonlyPeer({ localVideo: elements.localVideo, mediaConstraints });
    session.publisher = {
      peer,
      link: attachPeer(session.client, peer, { peerId: 'publish' }),
      stopStats: demoPage.watchStats(elements.localStats, peer),
    };
    connection.media(peer, 'Your camera');
    showLocalState(demoPage.mediaStateInWords(peer.peerConnection.connectionState));
    peer.on('connectionstatechange', (state) => showLocalState(demoPage.mediaStateInWords(state)));
    const joined = await session.client.request('group.join', { room, name });
    session.participantId = joined.participantId;
    await session.publisher.link.offer();
    if (call !== session) return;
    setState(`in room "${room}"`);
    for (const participant of joined.participants) subscribe(session, participant);
  } catch (error) {
    if (call !== session) return; // left meanwhile: the failure is moot
    leave(error?.code === 'REJECTED' ? 'rejected' : 'failed');
    showError(demoPage.explain(error, 'Join'));
  }
}

/** Room events and the state of the signaling connection. */
function watchServer(session) {
  const { client } = session;
  client.on('group.participantJoined', ({ participant }) => subscribe(session, participant));
  client.on('group.participantLeft', ({ participantId }) => removeRemote(session, participantId));
  client.on('group.ended', ({ message }) => {
    if (call !== session) return;
    leave('ended', { tellServer: false });
    showError(message);
  });
  client.connection.on('reconnecting', () => setState('reconnecting'));
  client.connection.on('connected', ({ resumed }) => {
    if (call !== session) return;
    if (resumed) setState(`in room "${session.room}"`);
    else lost('The server forgot this page while it was away');
  });
  client.connection.on('disconnected', () => {
    if (call === session)
      lost('The connection to the demo server was lost and could not be restored');
  });
}

/** Shows a participant: a tile, and a recvonly peer fed by their camera. */
function subscribe(session, { id, name }) {
  if (call !== session || session.remotes.has(id) || id === session.participantId) return;
  const tile = elements.remoteTile.content.firstElementChild.cloneNode(true);
  tile.dataset.participant = id;
  tile.querySelector('.name').textContent = name;
  const tileState = tile.querySelector('.tileState');
  const video = tile.querySelector('video');
  elements.grid.append(tile);

  const peer = new WebRtcPeer({ mode: 'recvonly', remoteVideo: video });
  const link = attachPeer(session.client, peer, { peerId: `subscribe:${id}` });
  const stopStats = demoPage.watchStats(tile.querySelector('.stats'), peer);
  const remote = { name, peer, link, tile, stopStats, timeline: {} };
  session.remotes.set(id, remote);
  tileState.textContent = demoPage.mediaStateInWords(peer.peerConnection.connectionState);
  peer.on('connectionstatechange', (state) => {
    tileState.textContent = demoPage.mediaStateInWords(state);
    if (state === 'connected') remote.timeline.connectedAt ??= performance.now();
  });
  video.requestVideoFrameCallback?.(() => {
    remote.timeline.firstFrameAt ??= performance.now();
  });
  remote.timeline.offerAt = performance.now();
  link.offer().catch((error) => {
    if (session.remotes.get(id) === remote) tileState.textContent = demoPage.explain(error, 'Join');
  });
}

function removeRemote(session, participantId) {
  const remote = session.remotes.get(participantId);
  if (!remote) return;
  session.remotes.delete(participantId);
  remote.stopStats();
  remote.link.detach();
  remote.peer.dispose();
  remote.tile.remove();
}

function lost(reason) {
  leave('disconnected', { tellServer: false });
  showError(`${reason}. Press Join to enter the room again.`);
}

/**
 * Leaves the room and releases everything the page holds. `tellServer: false` when the server
 * has forgotten the page already.
 */
function leave(state, { tellServer = true } = {}) {
  const session = call;
  call = undefined;
  setBusy(false);
  setState(state);
  showLocalState('');
  connection.clear();
  if (!session) return;
  for (const participantId of [...session.remotes.keys()]) removeRemote(session, participantId);
  session.publisher?.stopStats();
  session.publisher?.link.detach();
  session.publisher?.peer.dispose();
  const { client } = session;
  if (!client) return;
  const leaving = tellServer
    ? client.request('group.leave', {}).catch(() => undefined)
    : Promise.resolve();
  leaving.finally(() => client.close());
}

function setBusy(busy) {
  elements.join.disabled = busy;
  elements.room.disabled = busy;
  elements.name.disabled = busy;
  elements.leave.disabled = !busy;
}

function setState(state) {
  elements.state.textContent = state;
}

function showLocalState(state) {
  elements.localState.textContent = state;
}

function showError(message) {
  elements.error.textContent = message;
}

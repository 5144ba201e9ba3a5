// The mixed-room (MCU) demo page: join a room, then one sendrecv WebRtcPeer sends the camera into
// the room's Composite and receives the mix, over the app server's `/mcu-room` signaling namespace.
// Loaded with plain script tags: `medley` (webrtc-peer) and `medleySignaling` are globals of the
// UMD bundles.
const { WebRtcPeer } = medley;
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
  'mixVideo',
  'localVideo',
  'stats',
  'participants',
]);
const connection = demoPage.connectionStatus(elements.connection);

const params = new URLSearchParams(location.search);
elements.room.value = params.get('room') ?? 'lobby';
elements.name.value = params.get('name') ?? `Guest ${Math.floor(100 + Math.random() * 900)}`;
/** What the camera sends; `?video=320x240@15` asks for a smaller picture (as the e2e tests do). */
const mediaConstraints = demoPage.mediaConstraintsFromQuery();

/** The page's call, if any: { room, client, participantId, participants, peer, link }. */
let call;
/** Exposed for debugging and end-to-end tests. */
window.mcuRoom = {
  get room() {
    return call?.room;
  },
  get participantId() {
    return call?.participantId;
  },
  get peer() {
    return call?.peer;
  },
  get client() {
    return call?.client;
  },
  /** Everyone in the room, this page included, in joining order: [{ id, name }]. */
  get participants() {
    return [...(call?.participants.values() ?? [])];
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
  const session = { room, participants: new Map() };
  call = session;
  try {
    session.client = await SignalingClient.connect(`${location.origin}/mcu-room`);
    connection.signaling(session.client);
    watchServer(session);
    // The camera first: a denied camera fails before the room hears of this page.
    const peer = new WebRtcPeer({
      mode: 'sendrecv',
      localVideo: elements.localVideo,
      remoteVideo: elements.mixVideo,
      mediaConstraints,
    });
    session.peer = peer;
    session.link = attachPeer(session.client, peer, { peerId: 'mix' });
    session.stopStats = demoPage.watchStats(elements.stats, peer);
    await peer.start();
    connection.media(peer, 'The room');
    peer.on('connectionstatechange', (state) => {
      if (call === session) setState(inRoomState(session, state));
    });
    const joined = await session.client.request('mcu.join', { room, name });
    if (call !== session) return;
    session.participantId = joined.participantId;
    for (const participant of joined.participants)
      session.participants.set(participant.id, participant);
    session.participants.set(joined.participantId, { id: joined.participantId, name });
    showParticipants(session);
    await session.link.offer();
    if (call === session) setState(inRoomState(session, peer.peerConnection.connectionState));
  } catch (error) {
    if (call !== session) return; // left meanwhile: the failure is moot
    leave(error?.code === 'REJECTED' ? 'rejected' : 'failed');
    showError(demoPage.explain(error, 'Join'));
  }
}

function inRoomState(session, mediaState) {
  const media = demoPage.mediaStateInWords(mediaState);
  return media === 'connected' ? `in room "${session.room}"` : `${media} to room "${session.room}"`;
}

/** Room events and the state of the signaling connection. */
function watchServer(session) {
  const { client } = session;
  client.on('mcu.participantJoined', ({ participant }) => {
    session.participants.set(participant.id, participant);
    showParticipants(session);
  });
  client.on('mcu.participantLeft', ({ participantId }) => {
    session.participants.delete(participantId);
    showParticipants(session);
  });
  client.on('mcu.ended', ({ message }) => {
    if (call !== session) return;
    leave('ended', { tellServer: false });
    showError(message);
  });
  client.connection.on('reconnecting', () => setState('reconnecting'));
  client.connection.on('connected', ({ resumed }) => {
    if (call !== session) return;
    if (resumed) setState(inRoomState(session, session.peer?.peerConnection.connectionState));
    else lost('The server forgot this page while it was away');
  });
  client.connection.on('disconnected', () => {
    if (call === session)
      lost('The connection to the demo server was lost and could not be restored');
  });
}

function showParticipants(session) {
  if (call !== session) return;
  elements.participants.replaceChildren(
    ...[...session.participants.values()].map(({ id, name }) => {
      const item = document.createElement('li');
      item.dataset.participant = id;
      item.textContent = id === session.participantId ? `${name} (you)` : name;
      if (id === session.participantId) item.className = 'you';
      return item;
    }),
  );
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
  connection.clear();
  elements.participants.replaceChildren();
  if (!session) return;
  session.stopStats?.();
  session.link?.detach();
  session.peer?.dispose();
  const { client } = session;
  if (!client) return;
  const leaving = tellServer
    ? client.request('mcu.leave', {}).catch(() => undefined)
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

function showError(message) {
  elements.error.textContent = message;
}

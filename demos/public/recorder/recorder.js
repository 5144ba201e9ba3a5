// The recorder demo page. `record:<profile>` offers record the camera (the page sees itself
// back), `play:<name>` offers play a recording into a recvonly peer.
const { WebRtcPeer } = medley;
const { SignalingClient, attachPeer } = medleySignaling;

const elements = demoPage.elementsById([
  'localVideo',
  'video',
  'caption',
  'profile',
  'record',
  'stop',
  'state',
  'error',
  'recordings',
]);
const mediaConstraints = demoPage.mediaConstraintsFromQuery();

/** What the page does now: { mode: 'recording' | 'playing', peer, link, name? }. */
let activity;
let client;
/** Exposed for debugging and end-to-end tests. */
window.recorder = {
  get client() {
    return client;
  },
  get peer() {
    return activity?.peer;
  },
  lastRecording: undefined,
  recordings: [],
};

elements.record.addEventListener('click', () => run(record, 'Record'));
elements.stop.addEventListener('click', () => run(stop, 'Record'));
elements.recordings.addEventListener('click', (event) => {
  const name = event.target.closest('button[data-play]')?.dataset.play;
  if (name) run(() => play(name), 'Play');
});

connectSignaling()
  .then(refreshList)
  .catch((error) => showError(demoPage.explain(error, 'Record')));

async function connectSignaling() {
  if (client) return client;
  client = await SignalingClient.connect(`${location.origin}/recorder`);
  client.on('recorder.recording', ({ name }) => {
    if (activity?.mode !== 'recording') return;
    activity.name = name;
    setState('recording');
  });
  client.on('recorder.playEnded', () => {
    if (activity?.mode === 'playing') setState('ended');
  });
  client.on('recorder.failed', ({ message }) => showError(message));
  return client;
}

async function record() {
  const profile = elements.profile.value;
  const peer = new WebRtcPeer({
    mode: 'sendrecv',
    mediaConstraints,
    localVideo: elements.localVideo,
    remoteVideo: elements.video,
    // MP4 holds H.264: ask the browser to send it.
    videoCodecs: profile === 'MP4' ? ['H264'] : ['VP8'],
  });
  await begin('recording', peer, `record:${profile}`, 'What is being recorded');
}

async function play(name) {
  const peer = new WebRtcPeer({ mode: 'recvonly', remoteVideo: elements.video });
  await begin('playing', peer, `play:${name}`, `Playing ${name}`);
}

async function begin(mode, peer, peerId, caption) {
  await stop();
  await connectSignaling();
  const link = attachPeer(client, peer, { peerId });
  activity = { mode, peer, link };
  peer.on('error', (error) => showError(demoPage.explain(error, 'Record')));
  link.on('error', (error) => showError(demoPage.explain(error, 'Record')));
  elements.caption.textContent = caption;
  setBusy(true);
  setState(mode === 'recording' ? 'starting' : 'playing');
  await link.offer();
}

async function stop() {
  const current = activity;
  activity = undefined;
  setBusy(false);
  if (!current) return;
  setState('stopping');
  current.link.detach();
  try {
    const { recording, recordedSeconds } = await client.request('recorder.stop', {});
    if (recording) window.recorder.lastRecording = { ...recording, recordedSeconds };
  } finally {
    current.peer.dispose();
    setState(current.mode === 'recording' ? 'recorded' : 'stopped');
    await refreshList();
  }
}

async function refreshList() {
  const { recordings } = await client.request('recorder.list', {});
  window.recorder.recordings = recordings;
  elements.recordings.replaceChildren(
    ...(recordings.length ? recordings.map(recordingRow) : [emptyRow()]),
  );
}

function recordingRow(recording) {
  const row = document.createElement('tr');
  const name = document.createElement('td');
  const download = document.createElement('a');
  download.href = recording.downloadUrl;
  download.download = recording.name;
  download.textContent = recording.name;
  name.append(download);
  const size = document.createElement('td');
  size.textContent = `${(recording.sizeBytes / 1024).toFixed(0)} KB`;
  const actions = document.createElement('td');
  const playButton = document.createElement('button');
  playButton.type = 'button';
  playButton.dataset.play = recording.name;
  playButton.textContent = 'Play';
  actions.append(playButton);
  row.append(name, size, actions);
  return row;
}

function emptyRow() {
  const row = document.createElement('tr');
  row.innerHTML = '<td colspan="3">None yet.</td>';
  return row;
}

/** Runs a user action, showing its failure in words. */
function run(action, retry) {
  showError('');
  action().catch((error) => {
    showError(demoPage.explain(error, retry));
    setState('failed');
    setBusy(false);
  });
}

function setBusy(busy) {
  elements.record.disabled = busy;
  elements.profile.disabled = busy;
  elements.stop.disabled = !busy;
}

function setState(state) {
  elements.state.textContent = state;
}

function showError(message) {
  elements.error.textContent = message;
}

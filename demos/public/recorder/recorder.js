// The recorder demo page. `record:<profile>` offers record the camera (the page sees itself
// back), `play:<name>` offers play a recording into a recvonly peer. While it records, the page
// shows the time recorded and the file's size, which the app server reads on disk.
const { WebRtcPeer } = medley;
const { SignalingClient, attachPeer } = medleySignaling;

const elements = demoPage.elementsById([
  'videos',
  'localFigure',
  'localVideo',
  'video',
  'caption',
  'profile',
  'record',
  'stop',
  'state',
  'progress',
  'elapsed',
  'written',
  'connection',
  'error',
  'stats',
  'recordings',
]);
const mediaConstraints = demoPage.mediaConstraintsFromQuery();
const connection = demoPage.connectionStatus(elements.connection);

/** What the page does now: { mode: 'recording' | 'playing', peer, link, stopStats, name? }. */
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
  const connected = await SignalingClient.connect(`${location.origin}/recorder`);
  client = connected;
  connection.signaling(connected);
  connected.on('recorder.recording', ({ name }) => {
    if (activity?.mode !== 'recording') return;
    activity.name = name;
    setState('recording');
    showProgress(activity);
  });
  connected.on('recorder.playEnded', () => {
    if (activity?.mode === 'playing') setState('ended');
  });
  connected.on('recorder.failed', ({ message }) =>
    showError(
      demoPage.explainMediaServerFailure(message, activity?.mode === 'playing' ? 'Play' : 'Record'),
    ),
  );
  connected.connection.on('disconnected', ({ reason }) => {
    if (reason === 'closed' || client !== connected) return;
    // The next Record or Play connects again.
    client = undefined;
    endActivity();
    setState('disconnected');
    showError(demoPage.explain({ code: 'DISCONNECTED' }, 'Record'));
  });
  return connected;
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
  const stopStats = demoPage.watchStats(elements.stats, peer);
  activity = { mode, peer, link, stopStats };
  const retry = mode === 'recording' ? 'Record' : 'Play';
  peer.on('error', (error) => showError(demoPage.explain(error, retry)));
  link.on('error', (error) => showError(demoPage.explain(error, retry)));
  connection.media(peer, mode === 'recording' ? 'Camera' : 'Playback');
  // Playing back uses no camera: the recording gets the room.
  elements.localFigure.hidden = mode === 'playing';
  elements.videos.classList.toggle('single', mode === 'playing');
  elements.caption.textContent = caption;
  elements.progress.hidden = true;
  setBusy(true);
  setState(mode === 'recording' ? 'starting' : 'playing');
  await link.offer();
}

async function stop() {
  // The peer goes on sending until the recording is finished, so the file ends where Stop was
  // pressed.
  const current = endActivity({ keepPeer: true });
  if (!current) return;
  setState('stopping');
  try {
    const { recording, recordedSeconds } = await client.request('recorder.stop', {});
    if (recording) {
      window.recorder.lastRecording = { ...recording, recordedSeconds };
      // The finished file: its duration as recorded and its size with the index written.
      showElapsed(recordedSeconds ?? 0);
      showWritten(recording.sizeBytes);
    }
  } finally {
    current.peer.dispose();
    setState(current.mode === 'recording' ? 'recorded' : 'stopped');
    await refreshList();
  }
}

/**
 * Ends what the page does, on its side (the peer too, unless `keepPeer`); returns the activity
 * that was ended, if any.
 */
function endActivity({ keepPeer = false } = {}) {
  const current = activity;
  activity = undefined;
  setBusy(false);
  if (!current) return undefined;
  clearInterval(current.progressTimer);
  elements.progress.classList.remove('live');
  current.stopStats();
  current.link.detach();
  if (!keepPeer) current.peer.dispose();
  connection.media(undefined);
  return current;
}

/**
 * Counts the time recorded (the page's clock, from the media server's start) and asks the app
 * server each second how large the file on disk is.
 */
function showProgress(current) {
  const startedAt = performance.now();
  let asking = false;
  const tick = async () => {
    if (activity !== current) return;
    showElapsed((performance.now() - startedAt) / 1000);
    if (asking) return;
    asking = true;
    try {
      const { progress } = await client.request('recorder.progress', {});
      if (activity === current && progress?.sizeBytes !== undefined)
        showWritten(progress.sizeBytes);
    } catch {
      // A missed reading: the next tick asks again, and a lost connection says so itself.
    } finally {
      asking = false;
    }
  };
  showElapsed(0);
  showWritten(undefined);
  elements.progress.hidden = false;
  elements.progress.classList.add('live');
  current.progressTimer = setInterval(tick, 1000);
  tick();
}

function showElapsed(seconds) {
  const whole = Math.floor(seconds);
  elements.elapsed.textContent = `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

function showWritten(bytes) {
  elements.written.textContent = bytes === undefined ? '–' : formatBytes(bytes);
  if (bytes === undefined) delete elements.written.dataset.bytes;
  else elements.written.dataset.bytes = String(bytes);
}

function formatBytes(bytes) {
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

async function refreshList() {
  if (!client) return;
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
  size.className = 'size';
  size.textContent = formatBytes(recording.sizeBytes);
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
    endActivity();
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

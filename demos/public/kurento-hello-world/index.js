// The Kurento hello-world tutorial's browser side, in its own callback style: kurentoUtils for
// WebRTC, and {id: ...} JSON messages on a WebSocket to the app server.
var ws = new WebSocket(
  `${(location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host}/helloworld`,
);
var webRtcPeer;
var videoInput = document.getElementById('videoInput');
var videoOutput = document.getElementById('videoOutput');
var startButton = document.getElementById('start');
var stopButton = document.getElementById('stop');

startButton.addEventListener('click', start);
stopButton.addEventListener('click', stop);
window.addEventListener('beforeunload', () => {
  ws.close();
});

ws.onopen = () => {
  showConnection('server', 'connected', 'App server: connected');
};
ws.onclose = () => {
  showConnection('server', 'failed', 'App server: disconnected');
  if (webRtcPeer)
    onError('The connection to the app server closed. Reload the page to start again.');
};

ws.onmessage = (message) => {
  var parsedMessage = JSON.parse(message.data);
  switch (parsedMessage.id) {
    case 'startResponse':
      webRtcPeer.processAnswer(parsedMessage.sdpAnswer, (error) => {
        if (error) return onError(error);
        setState('started');
      });
      break;
    case 'iceCandidate':
      webRtcPeer.addIceCandidate(parsedMessage.candidate, (error) => {
        if (error) console.error(`Error adding candidate: ${error}`);
      });
      break;
    case 'error':
      onError(`${parsedMessage.message}. Press Stop, then Start to try again.`);
      break;
    default:
      onError(`Unrecognized message ${parsedMessage.id}`);
  }
};

function start() {
  setState('starting');
  startButton.disabled = true;
  stopButton.disabled = false;
  var options = {
    localVideo: videoInput,
    remoteVideo: videoOutput,
    onicecandidate: onIceCandidate,
  };
  webRtcPeer = kurentoUtils.WebRtcPeer.WebRtcPeerSendrecv(options, function (error) {
    if (error) return onError(error);
    this.peerConnection.addEventListener('connectionstatechange', onMediaStateChange);
    this.generateOffer(onOffer);
  });
}

function onOffer(error, offerSdp) {
  if (error) return onError(error);
  sendMessage({ id: 'start', sdpOffer: offerSdp });
}

/** The browser's media connection to the media server (ICE and DTLS), in words. */
function onMediaStateChange(event) {
  var state = event.target.connectionState;
  var words = {
    connecting: 'connecting…',
    connected: 'connected',
    disconnected: 'interrupted, waiting for the network…',
    failed: 'failed',
  };
  showConnection('media', state, `Media: ${words[state] || state}`);
  if (state === 'failed') {
    onError(
      'The media connection failed: no network path to the media server. Press Stop, then Start to try again.',
    );
  }
}

function onIceCandidate(candidate) {
  sendMessage({ id: 'onIceCandidate', candidate: candidate });
}

function stop() {
  if (webRtcPeer) {
    webRtcPeer.dispose();
    webRtcPeer = null;
    sendMessage({ id: 'stop' });
  }
  startButton.disabled = false;
  stopButton.disabled = true;
  setState('stopped');
  document.querySelector('#connection [data-link="media"]')?.remove();
}

function onError(error) {
  document.getElementById('error').textContent = String(error?.message ? error.message : error);
  setState('error');
}

function setState(state) {
  document.getElementById('state').textContent = state;
}

function showConnection(link, state, words) {
  var line = document.getElementById('connection');
  var part = line.querySelector(`[data-link="${link}"]`);
  if (!part) {
    part = document.createElement('span');
    part.dataset.link = link;
    line.append(part);
  }
  part.dataset.state = state;
  part.textContent = words;
}

function sendMessage(message) {
  ws.send(JSON.stringify(message));
}

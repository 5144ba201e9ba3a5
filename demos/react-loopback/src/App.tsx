import { useRef } from 'react';
import { ConnectionStatus } from './ConnectionStatus.js';
import { StatsPanel } from './StatsPanel.js';
import { useLoopbackCall } from './useLoopbackCall.js';

export function App() {
  const localVideo = useRef<HTMLVideoElement>(null);
  const remoteVideo = useRef<HTMLVideoElement>(null);
  const call = useLoopbackCall(localVideo, remoteVideo);
  const busy = call.state === 'starting' || call.state === 'connected';

  return (
    <main>
      <header>
        <a href="/">← Medley demos</a>
        <h1>React loopback</h1>
        <p>
          A React app importing <code>@medley/webrtc-peer</code> and <code>@medley/signaling</code>{' '}
          from npm: your camera goes through the media server and back.
        </p>
      </header>
      <div className="videos">
        <figure>
          <video id="localVideo" ref={localVideo} autoPlay playsInline muted />
          <figcaption>Local</figcaption>
        </figure>
        <figure>
          <video id="remoteVideo" ref={remoteVideo} autoPlay playsInline />
          <figcaption>Remote (from the media server)</figcaption>
        </figure>
      </div>
      <div className="controls">
        <button id="start" type="button" className="primary" disabled={busy} onClick={call.start}>
          Start
        </button>
        <button id="stop" type="button" disabled={!busy} onClick={call.stop}>
          Stop
        </button>
        <span id="state" className="state">
          {call.state}
        </span>
      </div>
      <ConnectionStatus signaling={call.signaling} media={call.connectionState} />
      <p id="error" className="error" role="alert">
        {call.error}
      </p>
      {call.stats && <StatsPanel stats={call.stats} />}
    </main>
  );
}

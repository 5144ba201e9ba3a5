// Helpers every demo page shares: failures and connection states in words, the live stats panel.
// A classic script that defines the global `demoPage` and nothing else (the rest stays inside
// this function, so no clash with a page's own top-level names). Plain pages load it with a
// script tag before their own script; the React and Vue apps import it (Vite bundles it; types in
// demo-page.d.ts). How a page uses it: demos/README.md, "Shared page helpers".
(() => {
  const dash = '–';

  /**
   * Words a person can act on, for the failures people actually meet. `retry` names the button
   * that tries again ("Start", "Join", ...).
   */
  function explain(error, retry) {
    switch (error?.code) {
      case 'MEDIA_PERMISSION_DENIED':
        return `Camera or microphone access was denied. Allow it in the browser (the icon in the address bar) and press ${retry} again.`;
      case 'DEVICE_NOT_FOUND':
        return `No camera or microphone was found. Plug one in and press ${retry} again.`;
      case 'DEVICE_IN_USE':
        return `The camera or microphone is busy in another program or tab. Close it there and press ${retry} again.`;
      case 'CONSTRAINTS_UNSATISFIABLE':
        return `The camera cannot give the picture size or frame rate asked for. Remove "?video=…" from the address and press ${retry} again.`;
      case 'MEDIA_UNSUPPORTED':
        return 'This browser cannot use the camera here: open the page over https or on localhost, in a browser with WebRTC.';
      case 'ICE_FAILED':
        return `The media connection failed: your browser found no network path to the media server. Press ${retry} to try again (across networks, the media server needs a TURN server).`;
      case 'NEGOTIATION_FAILED':
        return `The browser and the media server could not agree on how to send media (${error.message}). Press ${retry} to try again.`;
      case 'CONNECT_FAILED':
      case 'TIMEOUT':
        return `The demo server cannot be reached (${error.message}). Check that it is running, then press ${retry} again.`;
      case 'DISCONNECTED':
        return 'The connection to the demo server was lost and could not be restored. Check that it is running, then reload the page.';
      case 'INVALID_PAYLOAD':
      case 'UNKNOWN_REQUEST':
      case 'INVALID_RESPONSE':
        return `This page and the demo server do not understand each other (${error.message}). Reload the page; if it goes on, rebuild the demos with "npm run build".`;
      default:
        // REJECTED and the rest: the server's own message, which says what to do.
        return error?.message ?? String(error);
    }
  }

  /** A failure the media server reported during a call (an element's Error event), in words. */
  function explainMediaServerFailure(message, retry) {
    return `The media server reported a problem: ${message}. Press ${retry} to try again.`;
  }

  const mediaStateWords = {
    new: 'not connected yet',
    connecting: 'connecting (ICE and DTLS)…',
    connected: 'connected',
    disconnected: 'interrupted, waiting for the network to come back…',
    failed: 'failed: no network path to the media server',
    closed: 'closed',
  };

  /** A WebRTC connection state (RTCPeerConnection.connectionState) in words. */
  function mediaStateInWords(state) {
    return mediaStateWords[state] ?? String(state);
  }

  const signalingStateWords = {
    connecting: 'connecting…',
    connected: 'connected',
    reconnecting: 'connection lost, reconnecting…',
    disconnected: 'not connected',
  };
  /** Why the signaling client stopped (its DisconnectReason), and what to do. */
  const disconnectWords = {
    closed: 'not connected',
    server: 'the server ended this session; start again',
    rejected: 'refused this page; reload it',
    'connect-failed': 'unreachable; check that it runs, then try again',
    'gave-up': 'unreachable, gave up reconnecting; reload the page',
  };

  /**
   * The signaling client's state in words: its ConnectionState, with the attempt number while
   * reconnecting and the reason once disconnected, when known.
   */
  function signalingStateInWords(state, { attempt, reason } = {}) {
    if (state === 'reconnecting' && attempt)
      return `connection lost, reconnecting (attempt ${attempt})…`;
    if (state === 'disconnected' && reason) return disconnectWords[reason] ?? reason;
    return signalingStateWords[state] ?? String(state);
  }

  /** Adds a field over the audio and video streams of one direction; undefined if neither has it. */
  function total(streams, field) {
    const values = [streams.audio?.[field], streams.video?.[field]].filter(
      (value) => typeof value === 'number',
    );
    return values.length ? values.reduce((sum, value) => sum + value, 0) : undefined;
  }
  const kbps = (bitsPerSecond) =>
    bitsPerSecond === undefined ? dash : `${Math.round(bitsPerSecond / 1000)} kbps`;
  const milliseconds = (seconds) =>
    seconds === undefined ? dash : `${Math.round(seconds * 1000)} ms`;
  const count = (value) => (value === undefined ? dash : String(value));

  /**
   * The rows of the live stats panel, from a WebRtcPeer's getStats(): `key` (stable, for styling
   * and tests), `label` and `value`. `mode` is the peer's: a peer that only sends (a presenter,
   * a group-call camera) shows what it sends (its losses as the receiver reports them); one that
   * receives shows what it receives, so frame rate and resolution are those of the picture on
   * screen. Bitrates and losses add audio and video up.
   */
  function peerStatsRows(stats, mode = 'sendrecv') {
    const receives = mode !== 'sendonly';
    const shown = receives ? stats.inbound : stats.outbound;
    const video = shown.video;
    const rows = [];
    if (receives)
      rows.push({
        key: 'bitrateIn',
        label: 'Bitrate in',
        value: kbps(total(stats.inbound, 'bitrate')),
      });
    if (mode !== 'recvonly')
      rows.push({
        key: 'bitrateOut',
        label: 'Bitrate out',
        value: kbps(total(stats.outbound, 'bitrate')),
      });
    rows.push(
      {
        key: 'fps',
        label: 'Frames per second',
        value: video?.framesPerSecond === undefined ? dash : video.framesPerSecond.toFixed(0),
      },
      {
        key: 'resolution',
        label: 'Resolution',
        value: video?.frameWidth ? `${video.frameWidth}×${video.frameHeight}` : dash,
      },
      { key: 'rtt', label: 'Round-trip time', value: milliseconds(stats.roundTripTime) },
      { key: 'packetsLost', label: 'Packets lost', value: count(total(shown, 'packetsLost')) },
      receives
        ? { key: 'framesDecoded', label: 'Frames decoded', value: count(video?.framesDecoded) }
        : { key: 'framesEncoded', label: 'Frames encoded', value: count(video?.framesEncoded) },
    );
    return rows;
  }

  /** Updates a panel's rows in place (by key), so a refresh does not rebuild the panel. */
  function renderStatsRows(panel, rows) {
    const wanted = new Set(rows.map((row) => row.key));
    for (const value of panel.querySelectorAll('b[data-stat]')) {
      if (!wanted.has(value.dataset.stat)) value.parentElement.remove();
    }
    for (const { key, label, value } of rows) {
      let cell = panel.querySelector(`b[data-stat="${key}"]`);
      if (!cell) {
        const row = document.createElement('div');
        cell = document.createElement('b');
        cell.dataset.stat = key;
        row.append(document.createElement('span'), cell);
        panel.append(row);
      }
      cell.previousElementSibling.textContent = label;
      cell.textContent = value;
    }
  }

  /**
   * Shows `peer`'s live stats in `panel` (an element with class "stats"), refreshed every
   * second; each value is a `<b data-stat="key">`. Returns a function that stops the refresh and
   * hides the panel: call it when the peer is disposed.
   */
  function watchStats(panel, peer) {
    let watching = true;
    const timer = setInterval(async () => {
      const stats = await peer.getStats().catch(() => undefined);
      if (!watching || !stats) return;
      renderStatsRows(panel, peerStatsRows(stats, peer.mode));
      panel.hidden = false;
    }, 1000);
    return () => {
      watching = false;
      clearInterval(timer);
      panel.hidden = true;
      panel.replaceChildren();
    };
  }

  /**
   * Keeps `element` (class "connection") saying in words how the page is connected: to the
   * demo server (the signaling client's state, reconnection attempts included) and the media
   * connection of a peer (ICE and DTLS). Each part is a `<span data-link="server|media"
   * data-state="…">`. Call `signaling(client)` and `media(peer)` once each is made (a newer one
   * replaces the older; `media(undefined)` once the peer is gone); `clear()` empties the line.
   */
  function connectionStatus(element) {
    let client;
    let peer;
    const part = (name, label) => {
      let span = element.querySelector(`[data-link="${name}"]`);
      if (!span) {
        span = document.createElement('span');
        span.dataset.link = name;
        element.append(span);
      }
      return (state, words) => {
        span.dataset.state = state;
        span.textContent = `${label}: ${words}`;
      };
    };
    return {
      signaling(watched) {
        client = watched;
        const show = part('server', 'Demo server');
        const follow =
          (state) =>
          (detail = {}) => {
            if (client !== watched) return;
            const shown = state === 'disconnected' && detail.reason !== 'closed' ? 'failed' : state;
            show(shown, signalingStateInWords(state, detail));
          };
        follow(watched.state)();
        for (const state of ['connecting', 'connected', 'reconnecting', 'disconnected'])
          watched.connection.on(state, follow(state));
      },
      media(watched, label = 'Media') {
        peer = watched;
        if (!watched) {
          element.querySelector('[data-link="media"]')?.remove();
          return;
        }
        const show = part('media', label);
        const state = watched.peerConnection?.connectionState ?? 'new';
        show(state, mediaStateInWords(state));
        watched.on('connectionstatechange', (next) => {
          if (peer === watched) show(next, mediaStateInWords(next));
        });
      },
      clear() {
        client = undefined;
        peer = undefined;
        element.replaceChildren();
      },
    };
  }

  /** `?video=320x240@15` → media constraints; anything else → undefined (the peer's default). */
  function mediaConstraintsFromQuery() {
    const match = /^(\d+)x(\d+)@(\d+)$/.exec(
      new URLSearchParams(location.search).get('video') ?? '',
    );
    if (!match) return undefined;
    const [, width, height, frameRate] = match.map(Number);
    return { audio: true, video: { width, height, frameRate } };
  }

  /** The page's elements by id, as an object keyed by those ids. */
  function elementsById(ids) {
    return Object.fromEntries(ids.map((id) => [id, document.getElementById(id)]));
  }

  globalThis.demoPage = {
    explain,
    explainMediaServerFailure,
    mediaStateInWords,
    signalingStateInWords,
    peerStatsRows,
    watchStats,
    connectionStatus,
    mediaConstraintsFromQuery,
    elementsById,
  };
})();

// Helpers every demo page shares. A classic script, loaded before the page's own script: it
// defines the global `demoPage`.
window.demoPage = {
  /**
   * Words a person can act on, for the failures people actually meet. `retry` names the button
   * that tries again ("Start", "Join", ...).
   */
  explain(error, retry) {
    switch (error?.code) {
      case 'MEDIA_PERMISSION_DENIED':
        return `Camera or microphone access was denied. Allow it in the browser (the icon in the address bar) and press ${retry} again.`;
      case 'DEVICE_NOT_FOUND':
        return `No camera or microphone was found. Plug one in and press ${retry} again.`;
      case 'CONNECT_FAILED':
      case 'DISCONNECTED':
      case 'TIMEOUT':
        return `The demo server cannot be reached (${error.message}). Check that it is running and reload the page.`;
      default:
        return error?.message ?? String(error);
    }
  },

  /** `?video=320x240@15` → media constraints; anything else → undefined (the peer's default). */
  mediaConstraintsFromQuery() {
    const match = /^(\d+)x(\d+)@(\d+)$/.exec(
      new URLSearchParams(location.search).get('video') ?? '',
    );
    if (!match) return undefined;
    const [, width, height, frameRate] = match.map(Number);
    return { audio: true, video: { width, height, frameRate } };
  },

  /** The page's elements by id, as an object keyed by those ids. */
  elementsById(ids) {
    return Object.fromEntries(ids.map((id) => [id, document.getElementById(id)]));
  },
};

// The loopback demo page: the camera goes to the media server and straight back (loopback-page.js).
const currentCall = demoLoopbackPage({ stopRequest: 'loopback.stop', peerId: 'loopback' });
/** The current call, exposed for debugging and end-to-end tests. */
window.loopback = {
  get peer() {
    return currentCall()?.peer;
  },
  get client() {
    return currentCall()?.client;
  },
};

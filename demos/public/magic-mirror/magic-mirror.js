// The magic mirror page: the camera through the media server's FaceOverlayFilter (loopback-page.js).
const currentCall = demoLoopbackPage({
  namespace: '/magic-mirror',
  stopRequest: 'filter.stop',
  peerId: 'camera',
});
window.magicMirror = {
  get peer() {
    return currentCall()?.peer;
  },
};

// The QR reader page: the camera through the media server's ZBarFilter (loopback-page.js); each
// code read is shown as it comes.
const codeOutput = document.getElementById('code');
const currentCall = demoLoopbackPage({
  namespace: '/qr',
  stopRequest: 'filter.stop',
  peerId: 'camera',
  events: {
    'qr.code': ({ codeType, value }) => {
      codeOutput.textContent = `${value} (${codeType})`;
    },
  },
});
window.qrReader = {
  get peer() {
    return currentCall()?.peer;
  },
};

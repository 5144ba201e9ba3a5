// The QR reader page: the filter demos' loopback on `/qr`; each code read is shown as it comes.
const codeOutput = document.getElementById('code');
const currentCall = demoFilterLoopback('/qr', {
  onCode: ({ codeType, value }) => {
    codeOutput.textContent = `${value} (${codeType})`;
  },
});
window.qrReader = {
  get peer() {
    return currentCall()?.peer;
  },
};

// The magic mirror page: the filter demos' loopback on `/magic-mirror` (see filter-loopback.js).
const currentCall = demoFilterLoopback('/magic-mirror');
window.magicMirror = {
  get peer() {
    return currentCall()?.peer;
  },
};

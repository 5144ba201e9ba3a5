// Browser tests of @medley/webrtc-peer: real headless Chromium (fake camera and microphone), run
// inside the loopback-only namespace by the package's test:browser script.
import { packageBrowserTestConfig } from '../../../../scripts/playwright-package.js';

export default packageBrowserTestConfig({
  port: Number(process.env.WEBRTC_PEER_TEST_PORT ?? 41731),
  serverScript: 'static-server.ts',
  readyPath: '/peer.html',
});

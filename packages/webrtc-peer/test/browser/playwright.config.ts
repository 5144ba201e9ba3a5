// Browser tests of @medley/webrtc-peer: real headless Chromium (fake camera and microphone), run
// inside the loopback-only namespace by the package's test:browser script.
import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from '../../../../scripts/chromium.js';

const port = Number(process.env.WEBRTC_PEER_TEST_PORT ?? 41731);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  timeout: 30_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: '../../test-results/browser',
  use: { baseURL, browserName: 'chromium', launchOptions: chromiumLaunchOptions },
  webServer: {
    command: `node --import tsx static-server.ts ${port}`,
    url: `${baseURL}/peer.html`,
    reuseExistingServer: false,
    timeout: 15_000,
  },
});

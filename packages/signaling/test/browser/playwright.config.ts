// Browser tests of @medley/signaling: the UMD bundle in real headless Chromium against a real
// signaling server, inside the loopback-only namespace (the package's test:browser script).
import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from '../../../../scripts/chromium.js';

const port = Number(process.env.SIGNALING_TEST_PORT ?? 41751);
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
    command: `node --import tsx server.ts ${port}`,
    url: `${baseURL}/`,
    reuseExistingServer: false,
    timeout: 15_000,
  },
});

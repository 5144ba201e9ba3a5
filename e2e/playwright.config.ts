// End-to-end: the demo app server (with its embedded media server) and headless Chromium, both
// inside the loopback-only namespace of scripts/isolated.sh (the `test:e2e` script wraps this run).
import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from '../scripts/chromium.js';
import { demoMetricsPort } from './support/demoMetrics.js';
import {
  embeddedMediaServerPort,
  embeddedMediaServerToken,
} from './support/embeddedMediaServer.js';
import { e2eMediaRoot } from './support/paths.js';
import { e2eWhipToken } from './support/whipToken.js';

const port = Number(process.env.E2E_PORT ?? 18080);
export const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
  outputDir: '../test-results/e2e',
  use: {
    baseURL,
    launchOptions: chromiumLaunchOptions,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    video: 'off',
  },
  webServer: {
    command: 'node demos/dist/server/main.js',
    cwd: '..',
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      // Short grace so the orphan-cleanup test does not wait for the production default.
      SESSION_GRACE_MS: '3000',
      MEDIA_ROOT: e2eMediaRoot,
      EMBEDDED_MEDIA_SERVER_PORT: String(embeddedMediaServerPort),
      EMBEDDED_MEDIA_SERVER_TOKEN: embeddedMediaServerToken,
      METRICS_PORT: String(demoMetricsPort),
      WHIP_TOKEN: e2eWhipToken,
    },
  },
});

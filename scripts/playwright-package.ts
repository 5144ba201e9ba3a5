// The Playwright config of a package's browser tests: Debian's Chromium with fake media, one
// worker, and the package's own test server (a TypeScript file beside the specs) on a fixed
// loopback port. The package's test:browser script runs it inside the loopback-only namespace.
import { defineConfig, type PlaywrightTestConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './chromium.js';

export interface PackageBrowserTests {
  port: number;
  /** Started with `node --import tsx <serverScript> <port>`, from the config's folder. */
  serverScript: string;
  /** A path the server answers once it is ready, e.g. `/` or `/peer.html`. */
  readyPath: string;
}

export function packageBrowserTestConfig(tests: PackageBrowserTests): PlaywrightTestConfig {
  const baseURL = `http://127.0.0.1:${tests.port}`;
  return defineConfig({
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
      command: `node --import tsx ${tests.serverScript} ${tests.port}`,
      url: `${baseURL}${tests.readyPath}`,
      reuseExistingServer: false,
      timeout: 15_000,
    },
  });
}

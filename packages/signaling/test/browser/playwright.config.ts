// Browser tests of @medley/signaling: the UMD bundle in real headless Chromium against a real
// signaling server, inside the loopback-only namespace (the package's test:browser script).
import { packageBrowserTestConfig } from '../../../../scripts/playwright-package.js';

export default packageBrowserTestConfig({
  port: Number(process.env.SIGNALING_TEST_PORT ?? 41751),
  serverScript: 'server.ts',
  readyPath: '/',
});

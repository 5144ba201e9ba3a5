// Not a test: a tour that photographs every demo page while its call runs, into
// test-results/screenshots/, and prints what each page logged to its console. Run it to look at
// the pages after changing them:
//   npx tsc -b demos && scripts/isolated.sh npx playwright test -c e2e/support/screenshotTour.config.ts
import { defineConfig } from '@playwright/test';
import e2eConfig from '../playwright.config.js';

export default defineConfig({
  ...e2eConfig,
  testDir: '.',
  testMatch: 'screenshotTour.ts',
  reporter: [['list']],
  outputDir: '../../test-results/screenshot-tour',
  webServer: { ...e2eConfig.webServer, cwd: '../..' } as typeof e2eConfig.webServer,
});

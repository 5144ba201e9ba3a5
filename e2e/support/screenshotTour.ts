// The screenshot tour (see screenshotTour.config.ts): every demo page photographed while its call
// runs, and in the states a person meets (reconnecting, a refused camera, a finished recording),
// at a desktop and a phone width. Console errors and failed requests fail it, as in the specs.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from '@playwright/test';
import { expectVideoPlaying } from './media.js';
import { allowPageProblems, expect, test } from './test.js';

const folder = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
mkdirSync(folder, { recursive: true });
const small = '?video=320x240@15';

test.describe.configure({ mode: 'serial' });
test.setTimeout(120_000);

const widths = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

for (const [device, viewport] of Object.entries(widths)) {
  test.describe(device, () => {
    let context: BrowserContext;
    test.beforeAll(async ({ browser }) => {
      context = await browser.newContext({ viewport });
    });
    test.afterAll(() => context.close());

    const open = async (path: string): Promise<Page> => {
      const page = await context.newPage();
      await page.goto(path);
      return page;
    };
    const shoot = (page: Page, name: string) =>
      page.screenshot({ path: `${folder}${device}-${name}.png`, fullPage: true });
    // Stats refresh once a second: let two refreshes land before the picture.
    const settle = (page: Page) => page.waitForTimeout(2_500);

    test('index', async () => {
      const page = await open('/');
      await shoot(page, 'index');
      await page.close();
    });

    test('loopback', async () => {
      const page = await open(`/loopback/${small}`);
      await shoot(page, 'loopback-idle');
      await page.click('#start');
      await expectVideoPlaying(page, '#remoteVideo');
      await settle(page);
      await shoot(page, 'loopback-call');
      allowPageProblems(/socket\.io/, /net::ERR_FAILED/);
      await page.route('**/socket.io/**', (route) => route.abort());
      await page.evaluate(() => window.loopback.client?.socket.io.engine.close());
      await expect(page.locator('#connection')).toContainText('reconnecting (attempt 2)');
      await shoot(page, 'loopback-reconnecting');
      await page.unroute('**/socket.io/**');
      await expect(page.locator('#connection')).toContainText('Demo server: connected');
      await page.click('#stop');
      await page.close();
    });

    test('loopback, camera denied', async () => {
      const page = await context.newPage();
      await page.addInitScript(() => {
        navigator.mediaDevices.getUserMedia = () =>
          Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
      });
      await page.goto('/loopback/');
      await page.click('#start');
      await expect(page.locator('#error')).not.toBeEmpty();
      await shoot(page, 'loopback-camera-denied');
      await page.close();
    });

    test('kurento hello world', async () => {
      const page = await open('/kurento-hello-world/');
      await page.click('#start');
      await expectVideoPlaying(page, '#videoOutput');
      await settle(page);
      await shoot(page, 'kurento-hello-world-call');
      await page.click('#stop');
      await page.close();
    });

    test('recorder', async () => {
      const page = await open(`/recorder/${small}`);
      await page.click('#record');
      await expect(page.locator('#state')).toContainText('recording', { timeout: 20_000 });
      await settle(page);
      await shoot(page, 'recorder-recording');
      await page.click('#stop');
      await expect(page.locator('#state')).toHaveText('recorded');
      await shoot(page, 'recorder-recorded');
      await page.locator('button[data-play]').first().click();
      await expectVideoPlaying(page, '#video');
      await settle(page);
      await shoot(page, 'recorder-playing');
      await page.click('#stop');
      await page.close();
    });

    test('one to many', async () => {
      const presenter = await open(`/one2many/${small}`);
      await presenter.click('#present');
      const viewer = await open(`/one2many/${small}`);
      await viewer.click('#view');
      await expectVideoPlaying(viewer, '#video');
      await settle(viewer);
      await shoot(presenter, 'one2many-presenter');
      await shoot(viewer, 'one2many-viewer');
      const vue = await open('/vue/#viewer');
      await vue.click('#view');
      await expectVideoPlaying(vue, '#viewerVideo');
      await settle(vue);
      await shoot(vue, 'vue-viewer');
      await vue.close();
      await presenter.click('#stop');
      await expect(viewer.locator('#state')).toHaveText('ended');
      await shoot(viewer, 'one2many-viewer-ended');
      await presenter.close();
      await viewer.close();
    });

    test('group call', async () => {
      const room = `tour-${device}`;
      const alice = await open(`/group-call/${small}&room=${room}&name=Alice`);
      const bob = await open(`/group-call/${small}&room=${room}&name=Bob`);
      const carol = await open(`/group-call/${small}&room=${room}&name=Carol`);
      for (const page of [alice, bob, carol]) await page.click('#join');
      await expect(alice.locator('#grid figure[data-participant]')).toHaveCount(2);
      await expectVideoPlaying(alice, '#grid figure[data-participant] video >> nth=1');
      await settle(alice);
      await shoot(alice, 'group-call');
      for (const page of [alice, bob, carol]) await page.click('#leave');
      for (const page of [alice, bob, carol]) await page.close();
    });

    test('mixed room', async () => {
      const room = `tour-mcu-${device}`;
      const people = ['Alice', 'Bob', 'Carol'];
      const pages = [];
      for (const name of people)
        pages.push(await open(`/mcu-room/${small}&room=${room}&name=${name}`));
      for (const page of pages) {
        await page.click('#join');
        await expect(page.locator('#state')).toHaveText(`in room "${room}"`, { timeout: 20_000 });
      }
      const [alice] = pages as [Page, ...Page[]];
      await expectVideoPlaying(alice, '#mixVideo');
      await settle(alice);
      await shoot(alice, 'mcu-room');
      for (const page of pages) await page.click('#leave');
      for (const page of pages) await page.close();
    });

    test('react and vue loopback', async () => {
      for (const [name, path] of [
        ['react', '/react/'],
        ['vue', '/vue/'],
      ] as const) {
        const page = await open(path);
        await page.click('#start');
        await expectVideoPlaying(page, '#remoteVideo');
        await settle(page);
        await shoot(page, `${name}-loopback`);
        await page.click('#stop');
        await page.close();
      }
    });
  });
}

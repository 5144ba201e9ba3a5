import type { Browser, Page } from '@playwright/test';
import {
  type RedisServer,
  startRedisServer,
} from '../packages/signaling/test/support/redisServer.js';
import { SwitchingProxy } from '../packages/signaling/test/support/SwitchingProxy.js';
import {
  type ChildServer,
  startDemoAppServerProcess,
  startMediaServerProcess,
} from './support/childServer.js';
import { expectFramesDecoded, expectVideoPlaying, framesDecoded } from './support/media.js';
import { allowPageProblems, expect, test } from './support/test.js';

/**
 * Demo app servers sharing one redis-server (REDIS_URL) in front of one media server process: a
 * broadcast presented through app server A is watched through app server B; a page whose app
 * server is killed reconnects (through a load balancer stand-in) to the other one, which takes its
 * media over — the media keeps flowing after the dead server's media session has ended.
 */
test.describe.configure({ mode: 'serial' });

/**
 * The media server keeps a dead app server's objects this long (seconds). Shorter than its
 * default, so the test sees the objects the dead server alone held released, and that the media
 * of a page taken over by the other app server is not among them.
 */
const mediaSessionGraceSeconds = 8;

let redis: RedisServer;
let mediaServer: ChildServer;
/** Every app server a test started, killed after it. */
const appServers: ChildServer[] = [];
let proxy: SwitchingProxy | undefined;

test.beforeAll(async () => {
  redis = await startRedisServer();
  mediaServer = await startMediaServerProcess([
    '--session-grace-period',
    String(mediaSessionGraceSeconds),
  ]);
});
test.afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  for (const app of appServers.splice(0)) await app.kill();
});
test.afterAll(async () => {
  await mediaServer?.kill();
  await redis?.close();
});

/** Two app servers of one cluster, started fresh for the test. */
async function twoAppServers(): Promise<[ChildServer, ChildServer]> {
  // A generous grace: the page's reconnection must not race the expiry of its session in Redis.
  const env = {
    MEDIA_SERVER_URL: mediaServer.url,
    REDIS_URL: redis.url,
    SESSION_GRACE_MS: '20000',
  };
  const started = await Promise.all([
    startDemoAppServerProcess(env),
    startDemoAppServerProcess(env),
  ]);
  appServers.push(...started);
  return [started[0], started[1]];
}

/** A load balancer stand-in in front of `app`: pages opened through it follow `switchTo`. */
async function balancerIn(front: ChildServer): Promise<{ url: string; proxy: SwitchingProxy }> {
  proxy = new SwitchingProxy(portOf(front));
  return { url: await proxy.listen(), proxy };
}

function portOf(server: ChildServer): number {
  return Number(new URL(server.url).port);
}

/**
 * Resolves when the media server ends the session of an app server killed now: the first session
 * it ends a grace period after this call or later (those of app servers killed before ended
 * earlier). What that session alone held is released then.
 */
function mediaSessionOfKilledServerEnded(): Promise<void> {
  const endsNotBefore = Date.now() + mediaSessionGraceSeconds * 1000 - 500;
  return new Promise((resolve) => {
    const stderr = mediaServer.child.stderr;
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        const time = /"time":"([^"]+)","level":"info","msg":"session ended"/.exec(line)?.[1];
        if (time && Date.parse(time) >= endsNotBefore) {
          stderr?.off('data', onData);
          resolve();
        }
      }
    };
    stderr?.on('data', onData);
  });
}

const viewerPeerConnection = () => window.one2many.peer?.peerConnection;

async function openOneToMany(browser: Browser, origin: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${origin}/one2many/?video=320x240@15`);
  return page;
}

async function present(page: Page): Promise<void> {
  await page.click('#present');
  await expect(page.locator('#state')).toHaveText('connected', { timeout: 15_000 });
}

/** Frames keep being decoded: 15 more than now (at 15 fps, a second of video). */
async function expectFramesStillDecoded(page: Page): Promise<void> {
  const before = await framesDecoded(page, viewerPeerConnection);
  await expectFramesDecoded(page, viewerPeerConnection, before + 15);
}

/** Bytes the presenter's page has sent so far. */
function bytesSent(page: Page): Promise<number> {
  return page.evaluate(async () => {
    let bytes = 0;
    const connection = window.one2many.peer?.peerConnection;
    for (const stat of (await connection?.getStats())?.values() ?? []) {
      if (stat.type === 'outbound-rtp') bytes += stat.bytesSent ?? 0;
    }
    return bytes;
  });
}

test('a presenter on app server A, a viewer on app server B decodes the broadcast', async ({
  browser,
}) => {
  const [a, b] = await twoAppServers();
  const presenter = await openOneToMany(browser, a.url);
  const viewer = await openOneToMany(browser, b.url);
  try {
    await present(presenter);
    await viewer.click('#view');
    await expectFramesDecoded(viewer, viewerPeerConnection);
    await expectVideoPlaying(viewer, '#video');

    // The presenter's app server ends the broadcast; the viewer on the other one is told.
    await presenter.click('#stop');
    await expect(viewer.locator('#message')).toHaveText('The presenter stopped the broadcast.');
    await expect(viewer.locator('#state')).toHaveText('ended');
    await expect(viewer.locator('#view')).toBeEnabled();
  } finally {
    await presenter.context().close();
    await viewer.context().close();
  }
});

test("a viewer whose app server is killed reconnects to the other one and keeps watching: its endpoint outlives the dead server's media session", async ({
  browser,
}) => {
  allowPageProblems(/WebSocket|ERR_CONNECTION|socket\.io/i);
  const [a, b] = await twoAppServers();
  const balancer = await balancerIn(b);
  const presenter = await openOneToMany(browser, a.url);
  const viewer = await openOneToMany(browser, balancer.url);
  try {
    await present(presenter);
    await viewer.click('#view');
    await expectFramesDecoded(viewer, viewerPeerConnection);
    const sessionId = await viewer.evaluate(() => window.one2many.client?.sessionId);

    // B dies without a goodbye; the load balancer sends the page to A from now on.
    balancer.proxy.switchTo(portOf(a));
    const deadServersMediaSessionEnded = mediaSessionOfKilledServerEnded();
    await b.kill();
    await expect(viewer.locator('#state')).toHaveText('connected', { timeout: 20_000 });
    expect(await viewer.evaluate(() => window.one2many.client?.sessionId)).toBe(sessionId);

    // The media server ends B's session and releases what B alone held: the viewer's endpoint is
    // A's now (A took it over), so the picture goes on.
    await deadServersMediaSessionEnded;
    await expectFramesStillDecoded(viewer);
    await expect(viewer.locator('#viewers')).toHaveText('1 viewer');

    // A knows the page as a viewer of its broadcast: the end of it reaches the page.
    await presenter.click('#stop');
    await expect(viewer.locator('#message')).toHaveText('The presenter stopped the broadcast.');
    await expect(viewer.locator('#state')).toHaveText('ended');
  } finally {
    await presenter.context().close();
    await viewer.context().close();
  }
});

test('a presenter whose app server is killed reconnects to the other one, which takes the broadcast over', async ({
  browser,
}) => {
  allowPageProblems(/WebSocket|ERR_CONNECTION|socket\.io/i);
  const [a, b] = await twoAppServers();
  const balancer = await balancerIn(a);
  const presenter = await openOneToMany(browser, balancer.url);
  const viewer = await openOneToMany(browser, b.url);
  try {
    await present(presenter);
    await viewer.click('#view');
    await expectFramesDecoded(viewer, viewerPeerConnection);

    balancer.proxy.switchTo(portOf(b));
    const deadServersMediaSessionEnded = mediaSessionOfKilledServerEnded();
    await a.kill();
    await expect(presenter.locator('#state')).toHaveText('connected', { timeout: 20_000 });
    await deadServersMediaSessionEnded;
    // The pipeline outlived A's media session: the presenter still sends, the viewer still sees.
    const sent = await bytesSent(presenter);
    await expectFramesStillDecoded(viewer);
    expect(await bytesSent(presenter)).toBeGreaterThan(sent);
    await expect(presenter.locator('#viewers')).toHaveText('1 viewer');

    // B owns the broadcast now: the presenter's Stop ends it for the viewer, and frees the stage.
    await presenter.click('#stop');
    await expect(viewer.locator('#message')).toHaveText('The presenter stopped the broadcast.');
    await viewer.click('#present');
    await expect(viewer.locator('#state')).toHaveText('connected', { timeout: 15_000 });
    // Stopped, not left to the kill: the next test's presenters find no broadcast in Redis.
    await viewer.click('#stop');
    await expect(viewer.locator('#state')).toHaveText('stopped');
  } finally {
    await presenter.context().close();
    await viewer.context().close();
  }
});

test('two presenters pressing Present on two app servers at once: one presents, the other is told', async ({
  browser,
}) => {
  const [a, b] = await twoAppServers();
  const pages = [await openOneToMany(browser, a.url), await openOneToMany(browser, b.url)];
  try {
    await Promise.all(pages.map((page) => page.click('#present')));
    const refused = 'Someone else is presenting. Press View to watch, or present once they stop.';
    await expect
      .poll(
        async () => {
          const outcomes = await Promise.all(
            pages.map(async (page) =>
              (await page.locator('#error').textContent()) === refused
                ? 'refused'
                : await page.locator('#state').textContent(),
            ),
          );
          return outcomes.toSorted();
        },
        { timeout: 20_000 },
      )
      .toEqual(['connected', 'refused']);
  } finally {
    for (const page of pages) await page.context().close();
  }
});

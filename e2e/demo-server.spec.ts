import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { embeddedMediaServerUrl } from './support/embeddedMediaServer.js';
import { e2eMediaRoot } from './support/paths.js';
import { expect, test } from './support/test.js';
import { e2eWhipToken } from './support/whipToken.js';

// The demo app server's HTTP surface, as a hostile page or client sees it.

const recording = 'recording-2026-01-01T00-00-00-000Z-0123456789abcdef.webm';
const linkToOutside = 'recording-2026-01-01T00-00-01-000Z-0123456789abcdef.webm';

test.beforeAll(async () => {
  await mkdir(join(e2eMediaRoot, 'sub'), { recursive: true });
  await writeFile(join(e2eMediaRoot, recording), 'a recording');
  await writeFile(join(e2eMediaRoot, '.env'), 'SECRET=1');
  await writeFile(join(e2eMediaRoot, 'notes.txt'), 'private notes');
  await writeFile(join(e2eMediaRoot, 'sub', recording), 'in a sub-folder');
  await rm(join(e2eMediaRoot, linkToOutside), { force: true });
  await symlink('/etc/hostname', join(e2eMediaRoot, linkToOutside));
});

test.afterAll(async () => {
  for (const name of [recording, '.env', 'notes.txt', 'sub', linkToOutside])
    await rm(join(e2eMediaRoot, name), { recursive: true, force: true });
});

test('/recordings/ serves the recordings the demo made, and nothing else of the media root', async ({
  request,
}) => {
  const served = await request.get(`/recordings/${recording}`);
  expect(served.status()).toBe(200);
  expect(await served.text()).toBe('a recording');
  for (const path of [
    '/recordings/',
    '/recordings/.env',
    '/recordings/notes.txt',
    `/recordings/sub/${recording}`,
    `/recordings/${linkToOutside}`,
    `/recordings/..%2F..%2Fpackage.json`,
    '/.git/config',
  ]) {
    const response = await request.get(path);
    expect(response.status(), path).toBe(404);
  }
});

test('every page links the favicon the server serves', async ({ request }) => {
  const favicon = await request.get('/favicon.svg');
  expect(favicon.status()).toBe(200);
  expect(favicon.headers()['content-type']).toBe('image/svg+xml');
  expect(await favicon.text()).toContain('<svg');
  for (const page of [
    '/',
    '/loopback/',
    '/recorder/',
    '/one2many/',
    '/group-call/',
    '/mcu-room/',
    '/magic-mirror/',
    '/qr/',
    '/whip/',
    '/kurento-hello-world/',
    '/react/',
    '/vue/',
  ]) {
    expect(await (await request.get(page)).text(), page).toContain(
      '<link rel="icon" href="/favicon.svg" type="image/svg+xml">',
    );
  }
});

test('a malformed %-escape is a 400, not a 500', async ({ request }) => {
  for (const path of ['/%E0%A4%A', '/recordings/%', '/lib/%zz.js']) {
    const response = await request.get(path);
    expect(response.status(), path).toBe(400);
    expect(await response.text()).toContain('malformed %-escape');
  }
});

test('the embedded media server is not published and refuses clients without its token', async ({
  request,
}) => {
  const health = await request.get('/healthz');
  expect(await health.json()).toEqual({ ok: true });
  const status = await new Promise<number>((resolve) => {
    const socket = new WebSocket(embeddedMediaServerUrl);
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('error', () => undefined);
  });
  expect(status).toBe(401);
});

test("WHIP and WHEP requests reach the embedded media server through the app server's /whip/ and /whep/", async ({
  request,
}) => {
  // Answered by the media server's WHIP endpoint, not by the page server: its errors come back.
  const bearer = { authorization: `Bearer ${e2eWhipToken}` };
  const unauthorized = await request.post('/whip/demo-server-check', {
    headers: { 'content-type': 'application/sdp' },
    data: 'v=0\r\n',
  });
  expect(unauthorized.status()).toBe(401);
  const badOffer = await request.post('/whip/demo-server-check', {
    headers: { 'content-type': 'application/sdp', ...bearer },
    data: 'this is not SDP',
  });
  expect(badOffer.status()).toBe(400);
  const unpublished = await request.post('/whep/never-published', {
    headers: { 'content-type': 'application/sdp', ...bearer },
    data: 'v=0\r\n',
  });
  expect(unpublished.status()).toBe(404);
  const unknownSession = await request.delete('/whip/demo-server-check/no-such-session', {
    headers: bearer,
  });
  expect(unknownSession.status()).toBe(404);
});

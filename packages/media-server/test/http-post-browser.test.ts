import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MediaServer } from '../src/index.js';
import { makeTestMedia } from './support/mediaFiles.js';
import { MediaBrowser, negotiate } from './support/mediaPage.js';
import { RpcClient } from './support/RpcClient.js';
import { startServer } from './support/server.js';

/** HttpPostEndpoint into a WebRtcEndpoint: a real Chromium decodes the video that was POSTed. */

let mediaRoot: string;
let server: MediaServer;
let client: RpcClient;
let browser: MediaBrowser;
let upload: Uint8Array<ArrayBuffer>;

before(async () => {
  mediaRoot = await mkdtemp(join(tmpdir(), 'medley-http-post-browser-'));
  const source = join(mediaRoot, 'upload.webm');
  [, server, browser] = await Promise.all([
    makeTestMedia(source, { video: 'vp8', audio: true, seconds: 3 }),
    startServer({ mediaRoot }),
    MediaBrowser.launch(),
  ]);
  upload = new Uint8Array(await readFile(source));
  client = await RpcClient.open(server.url);
});

after(async () => {
  await client?.close();
  await browser?.close();
  await server?.close();
  await rm(mediaRoot, { recursive: true, force: true });
});

describe('HttpPostEndpoint to a browser', () => {
  it('sends a POSTed WebM to Chromium over WebRTC: frames decoded, audio received, EndOfStream', async () => {
    const pipeline = await client.create('MediaPipeline');
    const endpoint = await client.create('HttpPostEndpoint', { mediaPipeline: pipeline });
    await client.call('subscribe', { object: endpoint, type: 'EndOfStream' });
    const webRtc = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    await client.invoke(endpoint, 'connect', { sink: webRtc });
    const page = await browser.newPage();
    const offer = await page.evaluate(() => window.mediaPage.startReceiving());
    const stopTrickle = await negotiate(client, page, webRtc, offer);
    const from = client.received.length;
    const url = (await client.invoke(endpoint, 'getUrl')) as string;
    const response = await fetch(url, {
      method: 'POST',
      body: upload,
      headers: { 'Content-Type': 'video/webm' },
    });
    assert.equal(response.status, 200);
    await client.waitFor(
      (message) =>
        'method' in message &&
        message.params.value.type === 'EndOfStream' &&
        message.params.value.object === endpoint,
      from,
      15_000,
    );
    const stats = await page.evaluate(() => window.mediaPage.receiveStats());
    assert.equal(stats.videoCodec, 'video/VP8');
    assert.ok(stats.framesDecoded >= 60, `${stats.framesDecoded} frames decoded of 90`);
    assert.ok(stats.audioPacketsReceived >= 100, `${stats.audioPacketsReceived} audio packets`);
    stopTrickle();
    await page.evaluate(() => window.mediaPage.endSession());
    await page.close();
    await client.call('release', { object: pipeline });
  });
});

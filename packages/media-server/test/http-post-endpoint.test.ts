import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MediaServer } from '../src/index.js';
import { decodeErrors, makeTestMedia, probe } from './support/mediaFiles.js';
import { RpcClient } from './support/RpcClient.js';
import { startServer } from './support/server.js';

/**
 * HttpPostEndpoint: a WebM file made by ffmpeg is POSTed (as the body, and as a browser form
 * sends it) to the URL getUrl gives, played into a RecorderEndpoint, and the recording must
 * hold its video; bad requests get HTTP errors and Error events, and the URL expires after
 * disconnectionTimeout.
 */

let mediaRoot: string;
let server: MediaServer;
let client: RpcClient;
let upload: Buffer;

before(async () => {
  mediaRoot = await mkdtemp(join(tmpdir(), 'medley-http-post-'));
  const source = join(mediaRoot, 'upload.webm');
  await makeTestMedia(source, { video: 'vp8', audio: true, seconds: 2 });
  upload = await readFile(source);
  server = await startServer({ mediaRoot });
  client = await RpcClient.open(server.url);
});

after(async () => {
  await client?.close();
  await server?.close();
  await rm(mediaRoot, { recursive: true, force: true });
});

async function createPostEndpoint(pipeline: string, params: Record<string, unknown> = {}) {
  const endpoint = await client.create('HttpPostEndpoint', { mediaPipeline: pipeline, ...params });
  for (const type of ['EndOfStream', 'Error', 'MediaSessionStarted', 'MediaSessionTerminated']) {
    await client.call('subscribe', { object: endpoint, type });
  }
  const url = (await client.invoke(endpoint, 'getUrl')) as string;
  return { endpoint, url };
}

/** POSTs `upload` to `url`, as the body or as the file of a multipart/form-data form. */
function post(url: string, as: 'body' | 'form' = 'body', body: Buffer = upload) {
  if (as === 'body') {
    return fetch(url, { method: 'POST', body, headers: { 'Content-Type': 'video/webm' } });
  }
  const form = new FormData();
  form.append('title', 'a field before the file');
  form.append('file', new Blob([body], { type: 'video/webm' }), 'upload.webm');
  return fetch(url, { method: 'POST', body: form });
}

/** Records what `url` gets POSTed into `name` and checks the recording holds the video. */
async function recordPost(
  pipeline: string,
  endpoint: string,
  url: string,
  name: string,
  as: 'body' | 'form',
) {
  const from = client.received.length;
  const recorder = await client.create('RecorderEndpoint', {
    mediaPipeline: pipeline,
    uri: name,
    stopOnEndOfStream: true,
  });
  await client.call('subscribe', { object: recorder, type: 'Stopped' });
  await client.invoke(endpoint, 'connect', { sink: recorder });
  await client.invoke(recorder, 'record');
  const response = await post(url, as);
  assert.equal(response.status, 200, await response.text());
  await client.waitForEvent('EndOfStream', endpoint, from);
  await client.waitForEvent('Stopped', recorder, from);
  const path = join(mediaRoot, name);
  const file = await probe(path);
  const video = file.streams.find((stream) => stream.codecType === 'video');
  assert.equal(video?.codecName, 'vp8');
  assert.equal(video?.width, 320);
  assert.ok(video && video.packets >= 50, `${video?.packets} video frames of the 60 posted`);
  assert.ok(
    file.streams.some((stream) => stream.codecName === 'opus'),
    'the audio too',
  );
  assert.equal(await decodeErrors(path), '');
}

describe('HttpPostEndpoint', () => {
  it('plays a POSTed WebM into a recorder, then a second POST sent as a browser form', async () => {
    const pipeline = await client.create('MediaPipeline');
    const from = client.received.length;
    const { endpoint, url } = await createPostEndpoint(pipeline, { disconnectionTimeout: 60 });
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/http-endpoint\/[0-9a-f]{32}$/);
    assert.equal(new URL(url).port, String(server.port), 'served by the Kurento listener');
    await recordPost(pipeline, endpoint, url, 'posted.webm', 'body');
    await client.waitForEvent('MediaSessionStarted', endpoint, from);
    await recordPost(pipeline, endpoint, url, 'posted-form.webm', 'form');
    await client.call('release', { object: pipeline });
    assert.equal((await post(url)).status, 404, 'a released endpoint has no URL');
  });

  it('answers 404 to a path no endpoint holds, 405 to GET, 415 and an Error to garbage', async () => {
    const pipeline = await client.create('MediaPipeline');
    const { endpoint, url } = await createPostEndpoint(pipeline, { disconnectionTimeout: 60 });
    const other = `${url.slice(0, -8)}00000000`;
    assert.equal((await post(other)).status, 404);
    const get = await fetch(url);
    assert.equal(get.status, 405);
    assert.match(get.headers.get('allow') ?? '', /POST/);
    const from = client.received.length;
    const garbage = await post(url, 'body', Buffer.from('this is not a media file'.repeat(100)));
    assert.equal(garbage.status, 415);
    assert.match(await garbage.text(), /Not playable media/);
    const error = await client.waitForEvent('Error', endpoint, from);
    const data = error.params.value.data as { errorCode: number; description: string };
    assert.equal(data.errorCode, 40005);
    assert.match(data.description, /POST a WebM, MKV or MP4 file/);
    const emptyForm = await fetch(url, { method: 'POST', body: new FormData() });
    assert.equal(emptyForm.status, 415, 'a form without a file part');
    assert.equal(await client.invoke(endpoint, 'getUrl'), url, 'the URL still takes uploads');
    await client.call('release', { object: pipeline });
  });

  it('expires the URL disconnectionTimeout seconds after an upload, and checks the parameter', async () => {
    const pipeline = await client.create('MediaPipeline');
    const from = client.received.length;
    const { endpoint, url } = await createPostEndpoint(pipeline, { disconnectionTimeout: 1 });
    assert.equal((await post(url)).status, 200);
    await client.waitForEvent('MediaSessionTerminated', endpoint, from);
    assert.equal(await client.invoke(endpoint, 'getUrl'), '');
    assert.equal((await post(url)).status, 404);
    const bad = await client.failure('create', {
      type: 'HttpPostEndpoint',
      constructorParams: { mediaPipeline: pipeline, disconnectionTimeout: -1 },
    });
    assert.equal(bad.code, 40107);
    assert.match(bad.message, /disconnectionTimeout must be whole seconds/);
    await client.call('release', { object: pipeline });
  });
});

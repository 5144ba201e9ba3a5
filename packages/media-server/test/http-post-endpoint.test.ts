import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MediaServer } from '../src/index.js';
import { decodeErrors, makeTestMedia, probe } from './support/mediaFiles.js';
import { RpcClient } from './support/RpcClient.js';
import { eventually, startServer } from './support/server.js';

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
let mp4Upload: Buffer;

before(async () => {
  mediaRoot = await mkdtemp(join(tmpdir(), 'medley-http-post-'));
  const source = join(mediaRoot, 'upload.webm');
  const mp4 = join(mediaRoot, 'upload.mp4');
  await Promise.all([
    makeTestMedia(source, { video: 'vp8', audio: true, seconds: 2 }),
    makeTestMedia(mp4, { video: 'h264', audio: true, seconds: 2 }),
  ]);
  upload = await readFile(source);
  mp4Upload = await readFile(mp4);
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
    return fetch(url, {
      method: 'POST',
      body: new Uint8Array(body),
      headers: { 'Content-Type': 'video/webm' },
    });
  }
  const form = new FormData();
  form.append('title', 'a field before the file');
  form.append('file', new Blob([new Uint8Array(body)], { type: 'video/webm' }), 'upload.webm');
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

  it('plays a chunked WebM upload as it arrives, before the body ends', async () => {
    const pipeline = await client.create('MediaPipeline');
    const { endpoint, url } = await createPostEndpoint(pipeline, { disconnectionTimeout: 60 });
    const recorder = await client.create('RecorderEndpoint', {
      mediaPipeline: pipeline,
      uri: 'streamed.webm',
      stopOnEndOfStream: true,
    });
    for (const type of ['Recording', 'Stopped']) {
      await client.call('subscribe', { object: recorder, type });
    }
    await client.invoke(endpoint, 'connect', { sink: recorder });
    await client.invoke(recorder, 'record');
    const from = client.received.length;
    let sendRest: () => void = () => undefined;
    const rest = new Promise<void>((resolve) => {
      sendRest = resolve;
    });
    // The player reads a second ahead before it sends: hold back the last quarter (0.5 s).
    const half = Math.floor((upload.length * 3) / 4);
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(upload.subarray(0, half));
        await rest;
        controller.enqueue(upload.subarray(half));
        controller.close();
      },
    });
    const answered = fetch(url, {
      method: 'POST',
      body,
      duplex: 'half',
      headers: { 'Content-Type': 'video/webm' },
    } as RequestInit);
    answered.catch(() => undefined); // awaited below; a failure there fails the test    // Media reaches the recorder while the end of the file has not been sent.
    await client.waitForEvent('Recording', recorder, from);
    sendRest();
    assert.equal((await answered).status, 200);
    await client.waitForEvent('EndOfStream', endpoint, from);
    await client.waitForEvent('Stopped', recorder, from);
    const file = await probe(join(mediaRoot, 'streamed.webm'));
    const video = file.streams.find((stream) => stream.codecType === 'video');
    assert.ok(video && video.packets >= 50, `${video?.packets} video frames of the 60 posted`);
    await client.call('release', { object: pipeline });
  });

  it('plays a POSTed MP4 (read whole first) into an MKV recording', async () => {
    const pipeline = await client.create('MediaPipeline');
    const from = client.received.length;
    const { endpoint, url } = await createPostEndpoint(pipeline, { disconnectionTimeout: 60 });
    const recorder = await client.create('RecorderEndpoint', {
      mediaPipeline: pipeline,
      uri: 'posted-mp4.mkv',
      mediaProfile: 'MKV',
      stopOnEndOfStream: true,
    });
    await client.call('subscribe', { object: recorder, type: 'Stopped' });
    await client.invoke(endpoint, 'connect', { sink: recorder });
    await client.invoke(recorder, 'record');
    const response = await fetch(url, { method: 'POST', body: new Uint8Array(mp4Upload) });
    assert.equal(response.status, 200);
    await client.waitForEvent('EndOfStream', endpoint, from);
    await client.waitForEvent('Stopped', recorder, from);
    const file = await probe(join(mediaRoot, 'posted-mp4.mkv'));
    assert.deepEqual(file.streams.map((stream) => stream.codecName).sort(), ['h264', 'opus']);
    await client.call('release', { object: pipeline });
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
    const broken = Buffer.concat([upload.subarray(0, 4), Buffer.alloc(2000, 0)]);
    const malformed = await post(url, 'body', broken);
    assert.equal(malformed.status, 415, 'an EBML magic followed by garbage');
    const truncated = await post(url, 'body', upload.subarray(0, 40));
    assert.equal(truncated.status, 415, 'a WebM cut before its tracks');
    // A client that goes away mid-upload: the endpoint does not wait for it.
    const target = new URL(url);
    const socket = connect(Number(target.port), target.hostname);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Length: ${upload.length}\r\n\r\n`,
    );
    socket.write(upload.subarray(0, 1000));
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    await eventually(async () => {
      const next = await post(url, 'body', Buffer.from('still not media'));
      return next.status === 415 ? true : undefined; // not 409: the cut upload is over
    }, 'the endpoint takes a new upload');
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

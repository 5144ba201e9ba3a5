import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MediaServer } from '../src/index.js';
import { decodeErrors, makeTestMedia, probe } from './support/mediaFiles.js';
import { MediaBrowser, negotiate } from './support/mediaPage.js';
import { RpcClient } from './support/RpcClient.js';
import { eventually, startServer } from './support/server.js';

/** PlayerEndpoint: files from the media root (and HTTP when enabled) played into the pipeline. */

let mediaRoot: string;
let server: MediaServer;
let client: RpcClient;
let browser: MediaBrowser;

before(async () => {
  mediaRoot = await mkdtemp(join(tmpdir(), 'medley-player-'));
  await Promise.all([
    makeTestMedia(join(mediaRoot, 'clip.webm'), { video: 'vp8', audio: true, seconds: 4 }),
    // One key frame, at the start: a receiver that misses it can only get it again.
    makeTestMedia(join(mediaRoot, 'one-keyframe.webm'), {
      video: 'vp8',
      audio: true,
      seconds: 3,
      keyframeInterval: 1000,
    }),
    makeTestMedia(join(mediaRoot, 'clip.mp4'), {
      video: 'h264',
      audio: true,
      seconds: 3,
    }),
    makeTestMedia(join(mediaRoot, 'high.mkv'), {
      video: 'h264',
      h264Profile: 'high',
      seconds: 4,
    }),
  ]);
  server = await startServer({ mediaRoot });
  client = await RpcClient.open(server.url);
  browser = await MediaBrowser.launch();
});

after(async () => {
  await client?.close();
  await browser?.close();
  await server?.close();
  await rm(mediaRoot, { recursive: true, force: true });
});

async function createPlayer(uri: string, on: RpcClient = client) {
  const pipeline = await on.create('MediaPipeline');
  const player = await on.create('PlayerEndpoint', { mediaPipeline: pipeline, uri });
  for (const type of ['EndOfStream', 'Error', 'UriEndpointStateChanged']) {
    await on.call('subscribe', { object: player, type });
  }
  return { pipeline, player };
}

/** Waits for the player's EndOfStream (the clips last a few seconds). */
function endOfStream(player: string, from: number) {
  return client.waitFor(
    (message) =>
      'method' in message &&
      message.params.value.type === 'EndOfStream' &&
      message.params.value.object === player,
    from,
    15_000,
  );
}

/** A receiving page negotiated with a WebRtcEndpoint fed by `player`. */
async function watch(pipeline: string, player: string, playFirst: boolean) {
  const page = await browser.newPage();
  const webRtc = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
  await client.call('subscribe', { object: webRtc, type: 'Error' });
  await client.invoke(player, 'connect', { sink: webRtc });
  if (playFirst) await client.invoke(player, 'play');
  const offer = await page.evaluate(() => window.mediaPage.startReceiving());
  const stopTrickle = await negotiate(client, page, webRtc, offer);
  if (!playFirst) await client.invoke(player, 'play');
  return {
    page,
    webRtc,
    async close() {
      stopTrickle();
      await page.evaluate(() => window.mediaPage.endSession());
      await page.close();
    },
  };
}

describe('PlayerEndpoint', () => {
  it('plays a WebM file into Chromium: frames decoded, audio received, EndOfStream', async () => {
    const from = client.received.length;
    const { pipeline, player } = await createPlayer('clip.webm');
    const info = (await client.invoke(player, 'getVideoInfo')) as Record<string, unknown>;
    assert.equal(info.isSeekable, true);
    assert.equal(info.seekableInit, 0);
    assert.ok(Math.abs((info.duration as number) - 4000) < 100, `duration ${info.duration}`);
    assert.equal(info.seekableEnd, info.duration);
    const viewer = await watch(pipeline, player, false);
    await endOfStream(player, from);
    const stats = await viewer.page.evaluate(() => window.mediaPage.receiveStats());
    console.log(`player → Chromium: ${JSON.stringify(stats)}`);
    assert.equal(stats.videoCodec, 'video/VP8');
    assert.ok(stats.framesDecoded >= 80, `${stats.framesDecoded} frames decoded of 120`);
    assert.ok(stats.audioPacketsReceived >= 150, `${stats.audioPacketsReceived} audio packets`);
    assert.equal(await client.invoke(player, 'getState'), 'STOP');
    await viewer.close();
    await client.call('release', { object: pipeline });
  });

  it('plays an MP4 file (H.264 + Opus) into Chromium', async () => {
    const from = client.received.length;
    const { pipeline, player } = await createPlayer('clip.mp4');
    const viewer = await watch(pipeline, player, false);
    await endOfStream(player, from);
    const stats = await viewer.page.evaluate(() => window.mediaPage.receiveStats());
    console.log(`MP4 player → Chromium: ${JSON.stringify(stats)}`);
    assert.equal(stats.videoCodec, 'video/H264');
    assert.ok(stats.framesDecoded >= 60, `${stats.framesDecoded} frames decoded of 90`);
    assert.ok(stats.audioPacketsReceived >= 100, `${stats.audioPacketsReceived} audio packets`);
    await viewer.close();
    await client.call('release', { object: pipeline });
  });

  it('answers the browser key frame request when play() comes before the connection', async () => {
    const from = client.received.length;
    const { pipeline, player } = await createPlayer('one-keyframe.webm');
    const viewer = await watch(pipeline, player, true);
    const decoded = await eventually(
      async () => {
        const stats = await viewer.page.evaluate(() => window.mediaPage.receiveStats());
        return stats.framesDecoded >= 10 ? stats.framesDecoded : undefined;
      },
      'frames decoded although the only key frame went out before the connection',
      10_000,
    );
    assert.ok(decoded >= 10);
    await endOfStream(player, from);
    await viewer.close();
    await client.call('release', { object: pipeline });
  });

  it('transcodes a codec the browser cannot take (H.264 High) and says so', async () => {
    const from = client.received.length;
    const { pipeline, player } = await createPlayer('high.mkv');
    await client.call('subscribe', { object: player, type: 'MediaTranscodingStateChanged' });
    const viewer = await watch(pipeline, player, false);
    const transcoding = await client.waitForEvent('MediaTranscodingStateChanged', player, from);
    assert.equal(transcoding.params.value.data.state, 'TRANSCODING');
    assert.equal(transcoding.params.value.data.mediaType, 'VIDEO');
    await endOfStream(player, from);
    const stats = await viewer.page.evaluate(() => window.mediaPage.receiveStats());
    console.log(`H.264 High player → Chromium, transcoded: ${JSON.stringify(stats)}`);
    // The stage starts after play() (the file's codec is known only then), so the first
    // frames are missed; what matters is that the picture arrives, transcoded.
    assert.equal(stats.videoCodec, 'video/VP8');
    assert.ok(stats.framesDecoded >= 30, `${stats.framesDecoded} frames decoded of 120`);
    await viewer.close();
    await client.call('release', { object: pipeline });
  });

  it('with transcoding off, reports the codec the sink cannot take as an Error', async () => {
    const strict = await startServer({ mediaRoot, processing: { transcoding: 'never' } });
    const strictClient = await RpcClient.open(strict.url);
    try {
      const { pipeline, player } = await createPlayer('high.mkv', strictClient);
      const page = await browser.newPage();
      const webRtc = await strictClient.create('WebRtcEndpoint', { mediaPipeline: pipeline });
      await strictClient.call('subscribe', { object: webRtc, type: 'Error' });
      await strictClient.invoke(player, 'connect', { sink: webRtc });
      const offer = await page.evaluate(() => window.mediaPage.startReceiving());
      const stopTrickle = await negotiate(strictClient, page, webRtc, offer);
      await strictClient.invoke(player, 'play');
      const error = await strictClient.waitForEvent('Error', webRtc, 0);
      assert.equal(error.params.value.data.type, 'TRANSCODING_DISABLED');
      assert.match(String(error.params.value.data.description), /H264/);
      assert.match(String(error.params.value.data.description), /--transcoding auto/);
      stopTrickle();
      await page.close();
    } finally {
      await strictClient.close();
      await strict.close();
    }
  });

  it('records what it plays; a recorder with stopOnEndOfStream stops at its end', async () => {
    const from = client.received.length;
    const { pipeline, player } = await createPlayer('clip.webm');
    const recorder = await client.create('RecorderEndpoint', {
      mediaPipeline: pipeline,
      uri: 'replayed.webm',
      stopOnEndOfStream: true,
    });
    await client.call('subscribe', { object: recorder, type: 'Stopped' });
    await client.invoke(player, 'connect', { sink: recorder });
    await client.invoke(recorder, 'record');
    await client.invoke(player, 'play');
    await client.waitFor(
      (message) =>
        'method' in message &&
        message.params.value.type === 'Stopped' &&
        message.params.value.object === recorder,
      from,
      15_000,
    );
    const path = join(mediaRoot, 'replayed.webm');
    const file = await probe(path);
    assert.deepEqual(file.streams.map((stream) => stream.codecName).sort(), ['opus', 'vp8']);
    assert.ok(
      file.durationSeconds !== undefined && Math.abs(file.durationSeconds - 4) < 0.3,
      `duration ${file.durationSeconds}`,
    );
    assert.equal(await decodeErrors(path), '');
    await client.call('release', { object: pipeline });
  });

  it('raises Error 40600 naming the uri when the file is missing', async () => {
    const from = client.received.length;
    const { pipeline, player } = await createPlayer('nowhere/missing.webm');
    await client.invoke(player, 'play');
    const error = await client.waitForEvent('Error', player, from);
    assert.equal(error.params.value.data.errorCode, 40600);
    assert.ok(
      String(error.params.value.data.description).includes("'nowhere/missing.webm'"),
      String(error.params.value.data.description),
    );
    const failure = await client.failure('invoke', {
      object: player,
      operation: 'getVideoInfo',
    });
    assert.equal(failure.code, 40600);
    await client.call('release', { object: pipeline });
  });

  it('reports hostile or broken files as errors and keeps serving', async () => {
    const ebml = Buffer.from('1a45dfa3', 'hex');
    const files: Record<string, Buffer> = {
      'noise.webm': randomBytes(4096),
      // An EBML header claiming a huge size, then a Segment of unknown size full of noise.
      'huge.webm': Buffer.concat([ebml, Buffer.from('01ffffffffffffff', 'hex'), randomBytes(512)]),
      // An MP4 whose moov claims more bytes than the file has.
      'short.mp4': Buffer.concat([
        Buffer.from('00000018667479706973366f0000020069736f6d69736f36', 'hex'),
        Buffer.from('7fffffff6d6f6f76', 'hex'),
        randomBytes(64),
      ]),
    };
    for (const [name, bytes] of Object.entries(files)) {
      await writeFile(join(mediaRoot, name), bytes);
      const from = client.received.length;
      const { pipeline, player } = await createPlayer(name);
      await client.invoke(player, 'play');
      const error = await client.waitForEvent('Error', player, from);
      assert.ok(
        String(error.params.value.data.description).includes(`'${name}'`),
        `${name}: ${error.params.value.data.description}`,
      );
      await client.call('release', { object: pipeline });
    }
    assert.equal((await client.call('ping')).value, 'pong');
  });

  it('seeks with setPosition, pauses, and starts over after stop', async () => {
    const { pipeline, player } = await createPlayer('clip.webm');
    await client.invoke(player, 'play');
    await client.invoke(player, 'setPosition', { position: 2500 });
    const afterSeek = (await client.invoke(player, 'getPosition')) as number;
    assert.ok(afterSeek >= 2000 && afterSeek <= 2600, `position after the seek: ${afterSeek}`);
    await client.invoke(player, 'pause');
    const paused = (await client.invoke(player, 'getPosition')) as number;
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(
      await client.invoke(player, 'getPosition'),
      paused,
      'the position holds while paused',
    );
    assert.equal(await client.invoke(player, 'getState'), 'PAUSE');
    await client.invoke(player, 'stop');
    assert.equal(await client.invoke(player, 'getPosition'), 0);
    const outOfRange = await client.failure('invoke', {
      object: player,
      operation: 'setPosition',
      operationParams: { position: 60_000 },
    });
    assert.equal(outOfRange.code, 40107);
    await client.call('release', { object: pipeline });
  });

  it('plays http(s) URIs only when the server allows it', async () => {
    const refused = await client.failure('create', {
      type: 'PlayerEndpoint',
      constructorParams: {
        mediaPipeline: await client.create('MediaPipeline'),
        uri: 'http://127.0.0.1:9/clip.webm',
      },
    });
    assert.equal(refused.code, 40107);
    assert.match(refused.message, /--allow-http-playback/);

    const files = await serveWithRanges(mediaRoot);
    const httpServer = await startServer({
      mediaRoot,
      allowHttpPlayback: true,
      allowHttpHosts: ['127.0.0.1'],
    });
    const httpClient = await RpcClient.open(httpServer.url);
    try {
      const { player } = await createPlayer(`${files.url}/clip.webm`, httpClient);
      const info = (await httpClient.invoke(player, 'getVideoInfo')) as { duration: number };
      assert.ok(Math.abs(info.duration - 4000) < 100);
      assert.ok(files.rangeRequests > 0, 'the player reads with Range requests');
      const missing = await createPlayer(`${files.url}/missing.webm`, httpClient);
      const from = httpClient.received.length;
      await httpClient.invoke(missing.player, 'play');
      const error = await httpClient.waitForEvent('Error', missing.player, from);
      assert.equal(error.params.value.data.errorCode, 40600);
    } finally {
      await httpClient.close();
      await httpServer.close();
      files.server.close();
    }
  });
});

/** A static file server that honours single Range requests, counting them. */
async function serveWithRanges(root: string) {
  const state = { rangeRequests: 0 };
  const server: Server = createServer(async (request, response) => {
    const path = join(root, decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    const size = await stat(path).then(
      (stats) => stats.size,
      () => undefined,
    );
    if (size === undefined) {
      response.writeHead(404).end();
      return;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '');
    if (!range) {
      response.writeHead(200, { 'Content-Length': size });
      createReadStream(path).pipe(response);
      return;
    }
    state.rangeRequests++;
    const start = Number(range[1]);
    const end = Math.min(size - 1, range[2] ? Number(range[2]) : size - 1);
    response.writeHead(206, {
      'Content-Range': `bytes ${start}-${end}/${size}`,
      'Content-Length': end - start + 1,
    });
    createReadStream(path, { start, end }).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get rangeRequests() {
      return state.rangeRequests;
    },
  };
}

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, type TestContext, test } from 'node:test';
import { promisify } from 'node:util';
import { browserSuite } from './support/browserSuite.js';
import { eventually } from './support/server.js';
import { stageProcesses } from './support/stageProcesses.js';
import { BrowserPeer } from './transport-harness.js';

const run = promisify(execFile);

/**
 * HLS over http: the server reads the playlist and fetches each MPEG-TS segment through its
 * host policy, GStreamer decodes the bytes it is fed, a Chromium viewer gets VP8 and Opus.
 */
describe('PlayerEndpoint plays HLS', () => {
  const root = mkdtempSync(join(tmpdir(), 'medley-hls-'));
  const suite = browserSuite({
    mediaRoot: root,
    allowHttpPlayback: true,
    allowHttpHosts: ['127.0.0.1'],
  });
  let files: Server | undefined;
  let filesUrl = '';
  let port = 0;

  before(async () => {
    await run('ffmpeg', [
      ...['-v', 'error', '-y'],
      ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '3'],
      ...['-c:v', 'libx264', '-g', '25', '-c:a', 'aac', '-f', 'hls', '-hls_time', '1'],
      ...['-hls_playlist_type', 'vod', join(root, 'vod.m3u8')],
    ]);
    files = createServer((request, response) => {
      readFile(join(root, (request.url ?? '/').slice(1)))
        .then((body) => response.writeHead(200, { 'Content-Length': body.length }).end(body))
        .catch(() => response.writeHead(404).end());
    });
    await new Promise<void>((resolve) => files?.listen(0, '127.0.0.1', resolve));
    port = (files.address() as AddressInfo).port;
    filesUrl = `http://127.0.0.1:${port}`;
    const vod = await readFile(join(root, 'vod.m3u8'), 'utf8');
    // 127.0.0.2 is loopback too, and not in --allow-http-hosts.
    await writeFile(
      join(root, 'elsewhere.m3u8'),
      vod.replace(/^vod/gm, `http://127.0.0.2:${port}/vod`),
    );
    await writeFile(join(root, 'missing.m3u8'), vod.replace(/^vod(\d+)\.ts$/gm, 'gone$1.ts'));
  });
  after(async () => {
    files?.close();
    await rm(root, { recursive: true, force: true });
  });

  async function player(context: TestContext, path: string) {
    const pipeline = await suite.client.create('MediaPipeline');
    context.after(() => suite.client.call('release', { object: pipeline }).catch(() => undefined));
    const created = await suite.client.create('PlayerEndpoint', {
      mediaPipeline: pipeline,
      uri: `${filesUrl}/${path}`,
    });
    return { pipeline, player: created };
  }

  async function noStageLeft() {
    await eventually(
      async () => ((await stageProcesses()).length === 0 ? true : undefined),
      'the GStreamer process is gone',
    );
  }

  test('an HLS VOD of MPEG-TS segments reaches Chromium decoded and ends with EndOfStream', async (context) => {
    const { pipeline, player: played } = await player(context, 'vod.m3u8');
    const endpoint = await suite.client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    const peer = await BrowserPeer.create(suite.page, 'hls-viewer', {
      send: false,
      videoCodecs: ['video/VP8'],
    });
    context.after(() => peer.close());
    await peer.connectToEndpoint(suite.client, endpoint);
    await suite.client.invoke(played, 'connect', { sink: endpoint });
    await suite.client.call('subscribe', { object: played, type: 'EndOfStream' });
    const from = suite.client.received.length;
    await suite.client.invoke(played, 'play');
    const stats = await peer.waitForStats(
      (seen) => seen.framesDecoded > 10 && seen.audioPacketsReceived > 20,
      30_000,
    );
    assert.equal(stats.videoCodec, 'video/VP8');
    await suite.client.waitForEvent('EndOfStream', played, from);
    await noStageLeft();
  });

  for (const [name, path, pattern] of [
    [
      'a segment on a host the server may not fetch from',
      'elsewhere.m3u8',
      /127\.0\.0\.2 is a loopback address.*--allow-http-hosts/,
    ],
    ['a segment that answers 404', 'missing.m3u8', /segment \d+: .*HTTP 404/],
    ['a playlist that answers 404', 'nothing.m3u8', /HTTP 404/],
  ] as const) {
    test(`${name} is an Error event on the player`, async (context) => {
      const { player: played } = await player(context, path);
      await suite.client.call('subscribe', { object: played, type: 'Error' });
      const from = suite.client.received.length;
      await suite.client.invoke(played, 'play');
      const error = await suite.client.waitForEvent('Error', played, from);
      const data = error.params.value.data as { errorCode: number; description: string };
      assert.match(data.description, pattern);
      await noStageLeft();
    });
  }
});

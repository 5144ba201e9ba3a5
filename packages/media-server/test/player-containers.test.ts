import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
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
 * PlayerEndpoint on containers and codecs the in-process demuxers do not read: GStreamer
 * decodes them from the media root and a Chromium viewer gets VP8 and Opus.
 */
describe('PlayerEndpoint plays what GStreamer reads', () => {
  const mediaRoot = mkdtempSync(join(tmpdir(), 'medley-containers-'));
  const suite = browserSuite({
    mediaRoot,
    allowHttpPlayback: true,
    allowHttpHosts: ['127.0.0.1'],
  });
  let files: Server | undefined;
  let filesUrl = '';

  before(async () => {
    const sources = [
      ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '2'],
    ];
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      ...sources,
      '-c:v',
      'mpeg2video',
      '-c:a',
      'mp2',
      join(mediaRoot, 'clip.ts'),
    ]);
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      ...sources,
      '-c:v',
      'mpeg4',
      '-c:a',
      'libmp3lame',
      join(mediaRoot, 'clip.mkv'),
    ]);
    await run('ffmpeg', [
      ...['-v', 'error', '-y'],
      ...sources,
      ...['-c:v', 'mpeg4', '-c:a', 'aac', join(mediaRoot, 'clip.mov')],
    ]);
    // A plain HTTP server on loopback (allowed by the suite's --allow-http-hosts).
    files = createServer((request, response) => {
      readFile(join(mediaRoot, (request.url ?? '/').slice(1)))
        .then((body) => response.writeHead(200, { 'Content-Length': body.length }).end(body))
        .catch(() => response.writeHead(404).end());
    });
    await new Promise<void>((resolve) => files?.listen(0, '127.0.0.1', resolve));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
  });
  after(async () => {
    files?.close();
    await rm(mediaRoot, { recursive: true, force: true });
  });

  async function playTo(context: TestContext, file: string) {
    const pipeline = await suite.client.create('MediaPipeline');
    context.after(() => suite.client.call('release', { object: pipeline }).catch(() => undefined));
    const player = await suite.client.create('PlayerEndpoint', {
      mediaPipeline: pipeline,
      uri: file.startsWith('/') ? `${filesUrl}${file}` : file,
    });
    const endpoint = await suite.client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    const peer = await BrowserPeer.create(suite.page, `viewer-${file}`, {
      send: false,
      videoCodecs: ['video/VP8'],
    });
    context.after(() => peer.close());
    await peer.connectToEndpoint(suite.client, endpoint);
    await suite.client.invoke(player, 'connect', { sink: endpoint });
    await suite.client.call('subscribe', { object: player, type: 'EndOfStream' });
    const from = suite.client.received.length;
    await suite.client.invoke(player, 'play');
    const stats = await peer.waitForStats(
      (seen) => seen.framesDecoded > 10 && seen.audioPacketsReceived > 20,
      30_000,
    );
    assert.equal(stats.videoCodec, 'video/VP8');
    assert.equal(stats.audioCodec, 'audio/opus');
    await suite.client.waitForEvent('EndOfStream', player, from);
    await eventually(
      async () => ((await stageProcesses()).length === 0 ? true : undefined),
      'the GStreamer process is gone at the end of the file',
    );
  }

  test('an MPEG-TS file (MPEG-2 video, MP2 audio) reaches Chromium as VP8 and Opus', async (context) => {
    await playTo(context, 'clip.ts');
  });

  test('an MKV file of MPEG-4 video and MP3 reaches Chromium as VP8 and Opus', async (context) => {
    await playTo(context, 'clip.mkv');
  });

  test('a MOV file of MPEG-4 video and AAC reaches Chromium as VP8 and Opus', async (context) => {
    await playTo(context, 'clip.mov');
  });

  test('an MKV file over http, fetched by the server through its host policy, reaches Chromium decoded', async (context) => {
    await playTo(context, '/clip.mkv');
  });
});

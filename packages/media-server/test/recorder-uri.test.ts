import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MediaServer } from '../src/index.js';
import { RpcClient } from './support/RpcClient.js';
import { startServer } from './support/server.js';

/** Recorder URIs resolve inside the media root, and nothing outside it is ever written. */

let base: string;
let mediaRoot: string;
let outside: string;
let server: MediaServer;
let client: RpcClient;
let pipeline: string;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'medley-recorder-uri-'));
  mediaRoot = join(base, 'root');
  outside = join(base, 'outside');
  await mkdir(mediaRoot);
  await mkdir(outside);
  await symlink(outside, join(mediaRoot, 'escape'));
  await symlink(join(outside, 'target.webm'), join(mediaRoot, 'link.webm'));
  server = await startServer({ mediaRoot });
  client = await RpcClient.open(server.url);
  pipeline = await client.create('MediaPipeline');
});

after(async () => {
  await client?.close();
  await server?.close();
  await rm(base, { recursive: true, force: true });
});

describe('RecorderEndpoint URIs', () => {
  for (const uri of [
    '../outside/a.webm',
    'calls/../../outside/b.webm',
    'file:///etc/medley-should-not-exist.webm',
    'escape/c.webm',
    'escape/deeper/d.webm',
    'link.webm',
  ]) {
    it(`refuses '${uri}', naming the uri but not the media root`, async () => {
      const error = await client.failure('create', {
        type: 'RecorderEndpoint',
        constructorParams: { mediaPipeline: pipeline, uri },
      });
      assert.equal(error.code, 40107);
      assert.match(error.message, /outside the media root/);
      assert.ok(error.message.includes(`'${uri}'`), `the message names '${uri}'`);
      assert.ok(!error.message.includes(mediaRoot), `the message does not name ${mediaRoot}`);
      assert.deepEqual(await readdir(outside), [], 'nothing is written outside');
    });
  }

  for (const uri of ['ftp://example.org/e.webm', 'http://127.0.0.1/f.webm', 'file://host/g.webm']) {
    it(`refuses '${uri}' (scheme or host)`, async () => {
      const error = await client.failure('create', {
        type: 'RecorderEndpoint',
        constructorParams: { mediaPipeline: pipeline, uri },
      });
      assert.equal(error.code, 40107);
      assert.match(error.message, new RegExp(uri.replace(/[/.]/g, '\\$&')));
    });
  }

  it('refuses a profile it cannot record, and a malformed profile name', async () => {
    const jpeg = await client.failure('create', {
      type: 'RecorderEndpoint',
      constructorParams: { mediaPipeline: pipeline, uri: 'x.jpg', mediaProfile: 'JPEG_VIDEO_ONLY' },
    });
    assert.equal(jpeg.code, 40107);
    assert.match(jpeg.message, /JPEG_VIDEO_ONLY is not supported/);
    const bogus = await client.failure('create', {
      type: 'RecorderEndpoint',
      constructorParams: { mediaPipeline: pipeline, uri: 'x.webm', mediaProfile: 'AVI' },
    });
    assert.equal(bogus.code, 40107);
    assert.match(bogus.message, /MediaProfileSpecType/);
  });

  it('accepts relative paths and file URIs inside the root, creating directories on record', async () => {
    const relative = await client.create('RecorderEndpoint', {
      mediaPipeline: pipeline,
      uri: 'sessions/2024/today.webm',
    });
    const absolute = await client.create('RecorderEndpoint', {
      mediaPipeline: pipeline,
      uri: `file://${mediaRoot}/absolute.mkv`,
      mediaProfile: 'MKV',
    });
    assert.equal(await client.invoke(relative, 'getUri'), 'sessions/2024/today.webm');
    assert.equal(await client.invoke(relative, 'getState'), 'STOP');
    await client.call('subscribe', { object: relative, type: 'UriEndpointStateChanged' });
    await client.invoke(relative, 'record');
    const started = await client.waitForEvent('UriEndpointStateChanged', relative);
    assert.equal(started.params.value.data.state, 'START');
    assert.ok(existsSync(join(mediaRoot, 'sessions/2024')), 'the directories are created');
    await client.invoke(relative, 'stopAndWait');
    assert.equal(await client.invoke(relative, 'getState'), 'STOP');
    assert.equal(
      existsSync(join(mediaRoot, 'sessions/2024/today.webm')),
      false,
      'no media arrived: no file',
    );
    await client.call('release', { object: absolute });
  });
});

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { mediaRootSuite } from './support/mediaRootSuite.js';

/** Recorder URIs resolve inside the media root, and nothing outside it is ever written. */

const suite = mediaRootSuite('medley-recorder-uri-', async ({ mediaRoot, outside }) => {
  await symlink(outside, join(mediaRoot, 'escape'));
  await symlink(join(outside, 'target.webm'), join(mediaRoot, 'link.webm'));
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
      const error = await suite.client.failure('create', {
        type: 'RecorderEndpoint',
        constructorParams: { mediaPipeline: suite.pipeline, uri },
      });
      assert.equal(error.code, 40107);
      assert.match(error.message, /outside the media root/);
      assert.ok(error.message.includes(`'${uri}'`), `the message names '${uri}'`);
      assert.ok(
        !error.message.includes(suite.mediaRoot),
        `the message does not name ${suite.mediaRoot}`,
      );
      assert.deepEqual(await readdir(suite.outside), [], 'nothing is written outside');
    });
  }

  for (const uri of ['ftp://example.org/e.webm', 'http://127.0.0.1/f.webm', 'file://host/g.webm']) {
    it(`refuses '${uri}' (scheme or host)`, async () => {
      const error = await suite.client.failure('create', {
        type: 'RecorderEndpoint',
        constructorParams: { mediaPipeline: suite.pipeline, uri },
      });
      assert.equal(error.code, 40107);
      assert.match(error.message, new RegExp(uri.replace(/[/.]/g, '\\$&')));
    });
  }

  it('refuses a profile it cannot record, and a malformed profile name', async () => {
    const jpeg = await suite.client.failure('create', {
      type: 'RecorderEndpoint',
      constructorParams: {
        mediaPipeline: suite.pipeline,
        uri: 'x.jpg',
        mediaProfile: 'JPEG_VIDEO_ONLY',
      },
    });
    assert.equal(jpeg.code, 40107);
    assert.match(jpeg.message, /JPEG_VIDEO_ONLY is not supported/);
    const bogus = await suite.client.failure('create', {
      type: 'RecorderEndpoint',
      constructorParams: { mediaPipeline: suite.pipeline, uri: 'x.webm', mediaProfile: 'AVI' },
    });
    assert.equal(bogus.code, 40107);
    assert.match(bogus.message, /MediaProfileSpecType/);
  });

  it('accepts relative paths and file URIs inside the root, creating directories on record', async () => {
    const relative = await suite.client.create('RecorderEndpoint', {
      mediaPipeline: suite.pipeline,
      uri: 'sessions/2024/today.webm',
    });
    const absolute = await suite.client.create('RecorderEndpoint', {
      mediaPipeline: suite.pipeline,
      uri: `file://${suite.mediaRoot}/absolute.mkv`,
      mediaProfile: 'MKV',
    });
    assert.equal(await suite.client.invoke(relative, 'getUri'), 'sessions/2024/today.webm');
    assert.equal(await suite.client.invoke(relative, 'getState'), 'STOP');
    await suite.client.call('subscribe', { object: relative, type: 'UriEndpointStateChanged' });
    await suite.client.invoke(relative, 'record');
    const started = await suite.client.waitForEvent('UriEndpointStateChanged', relative);
    assert.equal(started.params.value.data.state, 'START');
    assert.ok(existsSync(join(suite.mediaRoot, 'sessions/2024')), 'the directories are created');
    await suite.client.invoke(relative, 'stopAndWait');
    assert.equal(await suite.client.invoke(relative, 'getState'), 'STOP');
    assert.equal(
      existsSync(join(suite.mediaRoot, 'sessions/2024/today.webm')),
      false,
      'no media arrived: no file',
    );
    await suite.client.call('release', { object: absolute });
  });
});

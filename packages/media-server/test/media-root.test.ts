import assert from 'node:assert/strict';
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MediaServer } from '../src/index.js';
import { makeTestMedia } from './support/mediaFiles.js';
import { RpcClient } from './support/RpcClient.js';
import { startServer } from './support/server.js';

/**
 * The media root holds under hostile URIs and under a link swapped in between the URI check (at
 * create) and the open (at play or at the first recorded frame): nothing outside it is read or
 * written, and no error names the root or where a link leads.
 */

let base: string;
let mediaRoot: string;
let outside: string;
let server: MediaServer;
let client: RpcClient;
let pipeline: string;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'medley-media-root-'));
  mediaRoot = join(base, 'root');
  outside = join(base, 'outside');
  await mkdir(mediaRoot);
  await mkdir(outside);
  await makeTestMedia(join(mediaRoot, 'clip.webm'), { video: 'vp8', audio: false, seconds: 2 });
  server = await startServer({ mediaRoot });
  client = await RpcClient.open(server.url);
  pipeline = await client.create('MediaPipeline');
});

after(async () => {
  await client?.close();
  await server?.close();
  await rm(base, { recursive: true, force: true });
});

function createFailure(type: 'PlayerEndpoint' | 'RecorderEndpoint', uri: string) {
  return client.failure('create', {
    type,
    constructorParams: { mediaPipeline: pipeline, uri },
  });
}

async function subscribed(type: string, uri: string): Promise<string> {
  const id = await client.create(type, { mediaPipeline: pipeline, uri });
  await client.call('subscribe', { object: id, type: 'Error' });
  return id;
}

/**
 * Neither the absolute media root nor the outside directory appears in what the client hears,
 * except in the uri it gave itself.
 */
function assertDiscloses(nothingOf: string, givenUri = ''): void {
  const told = givenUri ? nothingOf.replaceAll(givenUri, '') : nothingOf;
  assert.ok(!told.includes(base), `no absolute path in: ${nothingOf}`);
}

describe('media root', () => {
  for (const type of ['PlayerEndpoint', 'RecorderEndpoint'] as const) {
    for (const uri of [
      'a\u0000b.webm',
      'file:///tmp/x%00.webm',
      'line\nbreak.webm',
      'x\u007f.webm',
    ]) {
      it(`${type} refuses ${JSON.stringify(uri)} at create (control character)`, async () => {
        const error = await createFailure(type, uri);
        assert.equal(error.code, 40107);
        assert.match(error.message, /control character U\+00(00|0A|7F)/);
      });
    }

    it(`${type} refuses a path deeper than 32 directories, or longer than 1024 bytes`, async () => {
      const deep = await createFailure(type, `${'d/'.repeat(33)}x.webm`);
      assert.equal(deep.code, 40107);
      assert.match(deep.message, /33 directories deep; at most 32/);
      const long = await createFailure(type, `${'n'.repeat(1100)}.webm`);
      assert.equal(long.code, 40107);
      assert.match(long.message, /1105 bytes long .* at most 1024/);
      const fine = await client.create(type, {
        mediaPipeline: pipeline,
        uri: `${'d/'.repeat(32)}x.webm`,
      });
      await client.call('release', { object: fine });
    });

    it(`${type} names the uri as given, not the media root or a link's target`, async () => {
      await symlink(outside, join(mediaRoot, `escape-${type}`));
      for (const uri of [
        '../outside/a.webm',
        `escape-${type}/b.webm`,
        `file://${outside}/c.webm`,
      ]) {
        const error = await createFailure(type, uri);
        assert.equal(error.code, 40107);
        assert.match(error.message, /leads outside the media root/);
        assert.ok(error.message.includes(`'${uri}'`), error.message);
        assertDiscloses(error.message, uri);
      }
      const scheme = await createFailure(type, 'ftp://example.org/x.webm');
      assertDiscloses(scheme.message);
    });
  }

  it('a player whose file became a link out of the root after create refuses to play it', async () => {
    await writeFile(join(outside, 'secret.webm'), await readFile(join(mediaRoot, 'clip.webm')));
    await writeFile(join(mediaRoot, 'swapped.webm'), await readFile(join(mediaRoot, 'clip.webm')));
    const player = await subscribed('PlayerEndpoint', 'swapped.webm');
    await rm(join(mediaRoot, 'swapped.webm'));
    await symlink(join(outside, 'secret.webm'), join(mediaRoot, 'swapped.webm'));
    const from = client.received.length;
    await client.invoke(player, 'play');
    const error = await client.waitForEvent('Error', player, from);
    const description = String(error.params.value.data.description);
    assert.equal(error.params.value.data.errorCode, 40107, description);
    assert.match(description, /'swapped\.webm'.*outside the media root/);
    assertDiscloses(description);
    await client.call('release', { object: player });
  });

  it('a player whose directory became a link out of the root after create refuses to play', async () => {
    await mkdir(join(mediaRoot, 'shows'));
    await writeFile(join(mediaRoot, 'shows/secret.webm'), 'inside');
    const player = await subscribed('PlayerEndpoint', 'shows/secret.webm');
    await rename(join(mediaRoot, 'shows'), join(base, 'shows-moved'));
    await symlink(outside, join(mediaRoot, 'shows'));
    const from = client.received.length;
    await client.invoke(player, 'play');
    const error = await client.waitForEvent('Error', player, from);
    assert.equal(error.params.value.data.errorCode, 40107);
    assertDiscloses(String(error.params.value.data.description));
    await client.call('release', { object: player });
  });

  it('a link inside the root that points inside it still plays', async () => {
    await symlink(join(mediaRoot, 'clip.webm'), join(mediaRoot, 'alias.webm'));
    const player = await subscribed('PlayerEndpoint', 'alias.webm');
    const info = await client.invoke(player, 'getVideoInfo');
    assert.ok((info as { duration: number }).duration > 1000);
    await client.call('release', { object: player });
  });

  it('a recording whose directory became a link out of the root writes nothing there', async () => {
    await mkdir(join(mediaRoot, 'calls'));
    const recorder = await subscribed('RecorderEndpoint', 'calls/today.webm');
    const player = await subscribed('PlayerEndpoint', 'clip.webm');
    await client.call('invoke', {
      object: player,
      operation: 'connect',
      operationParams: { sink: recorder },
    });
    // The directory is checked when recording starts; the file is opened at the first frame.
    await client.invoke(recorder, 'record');
    await rename(join(mediaRoot, 'calls'), join(base, 'calls-moved'));
    await symlink(outside, join(mediaRoot, 'calls'));
    const before = await readdir(outside);
    const from = client.received.length;
    await client.invoke(player, 'play');
    const error = await client.waitForEvent('Error', recorder, from);
    const description = String(error.params.value.data.description);
    assert.match(description, /symbolic link now leads it outside the media root/);
    assertDiscloses(description);
    assert.deepEqual(await readdir(outside), before, 'no file is left outside the media root');
    await client.call('release', { object: recorder });
    await client.call('release', { object: player });
  });
});

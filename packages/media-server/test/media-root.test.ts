import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makeTestMedia } from './support/mediaFiles.js';
import { mediaRootSuite } from './support/mediaRootSuite.js';

/**
 * The media root holds under hostile URIs and under a link swapped in between the URI check (at
 * create) and the open (at play or at the first recorded frame): nothing outside it is read or
 * written, and no error names the root or where a link leads.
 */

const suite = mediaRootSuite('medley-media-root-', async ({ mediaRoot }) => {
  await makeTestMedia(join(mediaRoot, 'clip.webm'), { video: 'vp8', audio: false, seconds: 2 });
});

function createFailure(type: 'PlayerEndpoint' | 'RecorderEndpoint', uri: string) {
  return suite.client.failure('create', {
    type,
    constructorParams: { mediaPipeline: suite.pipeline, uri },
  });
}

async function subscribed(type: string, uri: string): Promise<string> {
  const id = await suite.client.create(type, { mediaPipeline: suite.pipeline, uri });
  await suite.client.call('subscribe', { object: id, type: 'Error' });
  return id;
}

/**
 * Neither the absolute media root nor the outside directory appears in what the client hears,
 * except in the uri it gave itself.
 */
function assertDiscloses(nothingOf: string, givenUri = ''): void {
  const told = givenUri ? nothingOf.replaceAll(givenUri, '') : nothingOf;
  assert.ok(!told.includes(suite.base), `no absolute path in: ${nothingOf}`);
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
      const fine = await suite.client.create(type, {
        mediaPipeline: suite.pipeline,
        uri: `${'d/'.repeat(32)}x.webm`,
      });
      await suite.client.call('release', { object: fine });
    });

    it(`${type} names the uri as given, not the media root or a link's target`, async () => {
      await symlink(suite.outside, join(suite.mediaRoot, `escape-${type}`));
      for (const uri of [
        '../outside/a.webm',
        `escape-${type}/b.webm`,
        `file://${suite.outside}/c.webm`,
      ]) {
        const error = await createFailure(type, uri);
        assert.equal(error.code, 40107);
        assert.match(error.message, /leads outside the media root/);
        assert.ok(error.message.includes(`'${uri}'`), error.message);
        if (uri.startsWith('file://')) {
          // An absolute URI is told the option that would allow it, with its own directory.
          assert.ok(error.message.includes(`--media-root ${suite.outside} `), error.message);
          assertDiscloses(error.message.replaceAll(suite.outside, ''), uri);
        } else {
          assertDiscloses(error.message, uri);
        }
      }
      const scheme = await createFailure(type, 'ftp://example.org/x.webm');
      assertDiscloses(scheme.message);
    });
  }

  it('a player whose file became a link out of the root after create refuses to play it', async () => {
    await writeFile(
      join(suite.outside, 'secret.webm'),
      await readFile(join(suite.mediaRoot, 'clip.webm')),
    );
    await writeFile(
      join(suite.mediaRoot, 'swapped.webm'),
      await readFile(join(suite.mediaRoot, 'clip.webm')),
    );
    const player = await subscribed('PlayerEndpoint', 'swapped.webm');
    await rm(join(suite.mediaRoot, 'swapped.webm'));
    await symlink(join(suite.outside, 'secret.webm'), join(suite.mediaRoot, 'swapped.webm'));
    const from = suite.client.received.length;
    await suite.client.invoke(player, 'play');
    const error = await suite.client.waitForEvent('Error', player, from);
    const description = String(error.params.value.data.description);
    assert.equal(error.params.value.data.errorCode, 40107, description);
    assert.match(description, /'swapped\.webm'.*outside the media root/);
    assertDiscloses(description);
    await suite.client.call('release', { object: player });
  });

  it('a player whose directory became a link out of the root after create refuses to play', async () => {
    await mkdir(join(suite.mediaRoot, 'shows'));
    await writeFile(join(suite.mediaRoot, 'shows/secret.webm'), 'inside');
    const player = await subscribed('PlayerEndpoint', 'shows/secret.webm');
    await rename(join(suite.mediaRoot, 'shows'), join(suite.base, 'shows-moved'));
    await symlink(suite.outside, join(suite.mediaRoot, 'shows'));
    const from = suite.client.received.length;
    await suite.client.invoke(player, 'play');
    const error = await suite.client.waitForEvent('Error', player, from);
    assert.equal(error.params.value.data.errorCode, 40107);
    assertDiscloses(String(error.params.value.data.description));
    await suite.client.call('release', { object: player });
  });

  it('a link inside the root that points inside it still plays', async () => {
    await symlink(join(suite.mediaRoot, 'clip.webm'), join(suite.mediaRoot, 'alias.webm'));
    const player = await subscribed('PlayerEndpoint', 'alias.webm');
    const info = await suite.client.invoke(player, 'getVideoInfo');
    assert.ok((info as { duration: number }).duration > 1000);
    await suite.client.call('release', { object: player });
  });

  it('a recording whose directory became a link out of the root writes nothing there', async () => {
    await mkdir(join(suite.mediaRoot, 'calls'));
    const recorder = await subscribed('RecorderEndpoint', 'calls/today.webm');
    const player = await subscribed('PlayerEndpoint', 'clip.webm');
    await suite.client.call('invoke', {
      object: player,
      operation: 'connect',
      operationParams: { sink: recorder },
    });
    // The directory is checked when recording starts; the file is opened at the first frame.
    await suite.client.invoke(recorder, 'record');
    await rename(join(suite.mediaRoot, 'calls'), join(suite.base, 'calls-moved'));
    await symlink(suite.outside, join(suite.mediaRoot, 'calls'));
    const before = await readdir(suite.outside);
    const from = suite.client.received.length;
    await suite.client.invoke(player, 'play');
    const error = await suite.client.waitForEvent('Error', recorder, from);
    const description = String(error.params.value.data.description);
    assert.match(description, /symbolic link now leads it outside the media root/);
    assertDiscloses(description);
    assert.deepEqual(
      await readdir(suite.outside),
      before,
      'no file is left outside the media root',
    );
    await suite.client.call('release', { object: recorder });
    await suite.client.call('release', { object: player });
  });
});

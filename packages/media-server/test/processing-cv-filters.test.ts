import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { browserSuite } from './support/browserSuite.js';
import { BrowserPeer, type PeerOptions } from './transport-harness.js';

/**
 * The CV/AR filters through the Kurento Protocol, with a real Chromium sending pictures made at
 * test time: a QR code (qrencode) for ZBarFilter, a face (the public-domain NASA portrait that
 * scripts/install-system-deps.sh takes from Debian's python3-skimage) for FaceOverlayFilter.
 * Effects are read off the decoded frames.
 */

const FACE_PICTURE = '/usr/local/share/medley/astronaut.png';
/** The middle of the face the detector finds in that picture, as fractions of its width and height. */
const FACE_CENTRE: readonly [number, number] = [0.43, 0.22];
const QR_VALUE = 'https://medley.example/qr-test?n=1';

const base = mkdtempSync(join(tmpdir(), 'medley-cv-'));
const mediaRoot = join(base, 'root');
mkdirSync(join(mediaRoot, 'images'), { recursive: true });
execFileSync('ffmpeg', [
  '-v',
  'error',
  '-f',
  'lavfi',
  '-i',
  'color=0xffff00:s=64x64',
  '-frames:v',
  '1',
  join(mediaRoot, 'images/yellow.png'),
]);
// With an alpha channel: yellow must stay yellow (red and blue swapped was seen for these only).
execFileSync('ffmpeg', [
  '-v',
  'error',
  '-f',
  'lavfi',
  '-i',
  'color=0xffff00:s=64x64,format=rgba',
  '-frames:v',
  '1',
  '-pix_fmt',
  'rgba',
  join(mediaRoot, 'images/yellow-alpha.png'),
]);
// The magic mirror demo's hat: an image with transparent parts.
copyFileSync(
  fileURLToPath(new URL('../../../demos/public/magic-mirror/hat.png', import.meta.url)),
  join(mediaRoot, 'images/hat.png'),
);
writeFileSync(join(mediaRoot, 'images/not-an-image.png'), 'this is text, not a picture');
writeFileSync(join(base, 'outside.png'), readFileSync(join(mediaRoot, 'images/yellow.png')));
execFileSync('qrencode', ['-o', join(base, 'qr.png'), '-s', '8', '-m', '4', QR_VALUE]);
after(() => rmSync(base, { recursive: true, force: true }));

const dataUrl = (path: string) => `data:image/png;base64,${readFileSync(path).toString('base64')}`;

/** The overlay image's colour: yellow, so that red and blue swapped on the way would show. */
function isYellow([red, green, blue]: readonly number[]): boolean {
  return (red ?? 0) > 150 && (green ?? 0) > 150 && (blue ?? 255) < 100;
}

async function waitForPixel(
  peer: BrowserPeer,
  at: readonly [number, number],
  wanted: (rgb: readonly number[]) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  let last: readonly number[] | undefined;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    last = (await peer.samplePoints([at]))?.[0];
    if (last && wanted(last)) return;
    await sleep(200);
  }
  const grid: [number, number][] = [];
  for (let y = 0.05; y < 1; y += 0.1) for (let x = 0.05; x < 1; x += 0.1) grid.push([x, y]);
  const map = ((await peer.samplePoints(grid)) ?? [])
    .map((rgb) => (isYellow(rgb) ? 'Y' : '.'))
    .join('');
  assert.fail(
    `${what} (yellow at ${map.match(/.{10}/g)?.join('|')}): the pixel at ${at.join(',')} is ${last ? last.join(',') : 'not decoded yet'}`,
  );
}

describe('CV filters', () => {
  const suite = browserSuite({ mediaRoot });

  /** Page → WebRtcEndpoint → filter → the same endpoint → page. */
  async function loopbackThrough(context: TestContext, type: string, peerOptions: PeerOptions) {
    const pipeline = await suite.client.create('MediaPipeline');
    context.after(() => suite.client.call('release', { object: pipeline }).catch(() => undefined));
    const endpoint = await suite.client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    const filter = await suite.client.create(type, { mediaPipeline: pipeline });
    await suite.client.invoke(endpoint, 'connect', { sink: filter });
    await suite.client.invoke(filter, 'connect', { sink: endpoint });
    const peer = await BrowserPeer.create(suite.page, type, {
      source: 'synthetic',
      ...peerOptions,
    });
    context.after(() => peer.close());
    await peer.connectToEndpoint(suite.client, endpoint);
    return { filter, peer };
  }

  test('ZBarFilter raises CodeFound once for the QR code the camera shows', async (context) => {
    const from = suite.client.events.length;
    const { filter, peer } = await loopbackThrough(context, 'ZBarFilter', {
      picture: dataUrl(join(base, 'qr.png')),
      videoSize: [640, 480],
    });
    await suite.client.call('subscribe', { object: filter, type: 'CodeFound' });
    const found = await suite.client.waitForEvent('CodeFound', filter, from);
    const data = found.params.value.data as Record<string, unknown>;
    assert.equal(data.codeType, 'QR-Code');
    assert.equal(data.value, QR_VALUE);
    // The same code in every frame is one event, as in Kurento.
    await peer.waitForStats((stats) => stats.framesDecoded > 30);
    const events = suite.client.events
      .slice(from)
      .filter((event) => event.params.value.type === 'CodeFound');
    assert.equal(events.length, 1, 'one CodeFound for one code');
  });

  test('ImageOverlayFilter draws an image where it is told, removes it, refuses bad input', async (context) => {
    const { filter, peer } = await loopbackThrough(context, 'ImageOverlayFilter', {});
    // The page sends red | blue; the image goes into the top-left quarter.
    await waitForPixel(peer, [0.25, 0.25], (rgb) => (rgb[0] ?? 0) > 150, 'the picture comes back');
    await suite.client.invoke(filter, 'addImage', {
      id: 'logo',
      uri: 'images/yellow.png',
      offsetXPercent: 0,
      offsetYPercent: 0,
      widthPercent: 0.5,
      heightPercent: 0.5,
      keepAspectRatio: false,
      center: false,
    });
    await waitForPixel(peer, [0.25, 0.25], isYellow, 'the image is drawn');
    await waitForPixel(peer, [0.75, 0.75], (rgb) => (rgb[2] ?? 0) > 150, 'the rest stays');
    await suite.client.invoke(filter, 'addImage', {
      id: 'badge',
      uri: 'images/yellow-alpha.png',
      offsetXPercent: 0.5,
      offsetYPercent: 0.5,
      widthPercent: 0.5,
      heightPercent: 0.5,
      keepAspectRatio: false,
      center: false,
    });
    await waitForPixel(peer, [0.75, 0.75], isYellow, 'an image with alpha keeps its colours');
    await suite.client.invoke(filter, 'removeImage', { id: 'badge' });
    await suite.client.invoke(filter, 'removeImage', { id: 'logo' });
    await waitForPixel(peer, [0.25, 0.25], (rgb) => (rgb[0] ?? 0) > 150, 'the image is gone');

    const image = {
      id: 'x',
      uri: 'images/yellow.png',
      offsetXPercent: 0,
      offsetYPercent: 0,
      widthPercent: 0.5,
      heightPercent: 0.5,
      keepAspectRatio: true,
      center: true,
    };
    const refusals: [Record<string, unknown>, RegExp][] = [
      [{ ...image, widthPercent: 1.5 }, /'widthPercent' must be from 0 to 1/],
      [{ ...image, offsetXPercent: -0.1 }, /'offsetXPercent' must be from 0 to 1/],
      [{ ...image, uri: '../outside.png' }, /outside|media root/],
      [{ ...image, uri: 'images/missing.png' }, /no such image/],
      [{ ...image, uri: 'images/not-an-image.png' }, /not an image GStreamer can read/],
      [{ ...image, uri: 'http://127.0.0.1/x.png' }, /HTTP playback is disabled/],
      [{ ...image, id: '' }, /'id' is empty/],
    ];
    for (const [params, message] of refusals) {
      const error = await suite.client.failure('invoke', {
        object: filter,
        operation: 'addImage',
        operationParams: params,
      });
      assert.match(error.message, message);
    }
    const unknown = await suite.client.failure('invoke', {
      object: filter,
      operation: 'removeImage',
      operationParams: { id: 'never-added' },
    });
    assert.match(unknown.message, /has no image 'never-added'/);
  });

  test('FaceOverlayFilter draws the image over the face, and only while it is set', async (context) => {
    const { filter, peer } = await loopbackThrough(context, 'FaceOverlayFilter', {
      picture: dataUrl(FACE_PICTURE),
      videoSize: [640, 480],
    });
    await waitForPixel(peer, FACE_CENTRE, (rgb) => !isYellow(rgb), 'the face comes back');
    await sleep(1000);
    assert.ok(!isYellow((await peer.samplePoints([FACE_CENTRE]))?.[0] ?? []), 'no overlay yet');
    await suite.client.invoke(filter, 'setOverlayedImage', {
      uri: 'images/yellow.png',
      offsetXPercent: 0,
      offsetYPercent: 0,
      widthPercent: 1,
      heightPercent: 1,
    });
    await waitForPixel(peer, FACE_CENTRE, isYellow, 'the image covers the face');
    // Far from the face (the flag on the left) the picture is untouched.
    assert.ok(!isYellow((await peer.samplePoints([[0.1, 0.3]]))?.[0] ?? []));
    await suite.client.invoke(filter, 'setOverlayedImage', {
      uri: 'images/hat.png',
      offsetXPercent: 0,
      offsetYPercent: 0,
      widthPercent: 1,
      heightPercent: 1,
    });
    // An image with transparent parts keeps its colours (as a pixbuf property it did not).
    await waitForPixel(
      peer,
      FACE_CENTRE,
      ([red, green, blue]) => (red ?? 0) > 170 && (green ?? 255) < 90 && (blue ?? 255) < 90,
      "the red hat's colours",
    );
    await suite.client.invoke(filter, 'unsetOverlayedImage');
    await waitForPixel(peer, FACE_CENTRE, (rgb) => !isYellow(rgb), 'the image is gone');
    const negative = await suite.client.failure('invoke', {
      object: filter,
      operation: 'setOverlayedImage',
      operationParams: {
        uri: 'images/yellow.png',
        offsetXPercent: 0,
        offsetYPercent: 0,
        widthPercent: -1,
        heightPercent: 1,
      },
    });
    assert.match(negative.message, /'widthPercent' must be from 0 to 10/);
  });
});

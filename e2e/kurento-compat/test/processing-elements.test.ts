import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import kurento, { type KurentoClient, type MediaElement } from 'kurento-client';
import { createMediaServer, type MediaServer } from '../../../packages/media-server/src/index.js';
import { BrowserPeer, type CandidateInit } from './browserPeer.js';

/** What Kurento's tutorials call on the filters (kurento-client's own classes, untyped here). */
interface FaceOverlayFilter extends MediaElement {
  setOverlayedImage(uri: string, x: number, y: number, width: number, height: number): Promise<void>;
}
type Callback = (error?: Error) => void;
interface ImageOverlayFilter extends MediaElement {
  addImage(
    ...params: [string, string, number, number, number, number, boolean, boolean, Callback]
  ): void;
  removeImage(id: string, callback: Callback): void;
}

/** kurento-client's promises resolve even when the server answers an error: use its callbacks. */
function outcome(call: (callback: Callback) => void): Promise<Error | undefined> {
  return new Promise((resolve) => call((error) => resolve(error ?? undefined)));
}

const IceCandidate = kurento.getComplexType('IceCandidate');

/**
 * The processing elements of the magic-mirror, MCU and QR tutorials, created and driven by the
 * official kurento-client 7.3.0: its module check passes and each call reaches the server.
 */
describe('kurento-client 7.3.0 drives the Composite and the CV filters', () => {
  const mediaRoot = mkdtempSync(join(tmpdir(), 'medley-compat-'));
  let server: MediaServer;
  let client: KurentoClient;

  before(async () => {
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=0x00ff00:s=64x64', '-frames:v', '1', join(mediaRoot, 'hat.png')]);
    server = await createMediaServer({ port: 0, logLevel: 'warn', mediaRoot });
    client = await new Promise<KurentoClient>((resolve, reject) =>
      kurento(server.url, {}, (error, connected) => (error ? reject(error) : resolve(connected))),
    );
  });
  after(async () => {
    client.close();
    await server.close();
    rmSync(mediaRoot, { recursive: true, force: true });
  });

  test('a browser in a Composite decodes the mix; the filters take the tutorials calls', { timeout: 90_000 }, async () => {
    const pipeline = await client.create('MediaPipeline');
    const composite = await pipeline.create('Composite');
    const port = await pipeline.create('HubPort', { hub: composite });
    const webRtc = await pipeline.create('WebRtcEndpoint');
    const faces = (await pipeline.create('FaceOverlayFilter')) as FaceOverlayFilter;
    await faces.setOverlayedImage('hat.png', -0.35, -1.2, 1.6, 1.6);
    const images = (await pipeline.create('ImageOverlayFilter')) as ImageOverlayFilter;
    // kurento-client sends only the id of a method that has an 'id' parameter (its
    // serializeParams): addImage's other parameters never leave it, and the server says why.
    const added = await outcome((done) =>
      images.addImage('logo', 'hat.png', 0, 0, 0.2, 0.2, true, false, done),
    );
    assert.match(String(added?.message), /kurento-client replaces the parameters/);
    const removed = await outcome((done) => images.removeImage('logo', done));
    assert.match(String(removed?.message), /has no image 'logo'/);
    const reader = await pipeline.create('ZBarFilter');
    reader.on('CodeFound', () => undefined);

    const browser = await BrowserPeer.launch((candidate) =>
      webRtc.addIceCandidate(IceCandidate(candidate)),
    );
    try {
      webRtc.on('IceCandidateFound', (event) => {
        void browser.addServerCandidate(event.candidate as CandidateInit);
      });
      await webRtc.connect(faces);
      await faces.connect(port);
      await port.connect(webRtc);
      await browser.applyAnswer(await webRtc.processOffer(await browser.createOffer()));
      await webRtc.gatherCandidates();
      const deadline = Date.now() + 45_000;
      while ((await browser.decodedVideoFrames()) < 10) {
        assert.ok(Date.now() < deadline, 'the mixed picture should be decoded');
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await browser.close();
    }
    await pipeline.release();
  });
});

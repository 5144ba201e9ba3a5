import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import kurento, {
  type KurentoClient,
  type KurentoClientError,
  type KurentoClientOptions,
} from 'kurento-client';
import { createMediaServer, type MediaServer } from '../../../packages/media-server/src/index.js';
import { BrowserPeer, type CandidateInit } from './browserPeer.js';
import { startWireTap } from './wireTap.js';

type WireTap = Awaited<ReturnType<typeof startWireTap>>;

const IceCandidate = kurento.getComplexType('IceCandidate');

// kurento-client 7 knows only the Kurento 7 event names; a 6.x application subscribes to
// OnIceCandidate. Registering the old name reproduces what such a client sends.
kurento.register.classes.WebRtcEndpoint?.events.push('OnIceCandidate');

/** Connects as the Kurento tutorials do: the callback runs after the server's modules were checked. */
function connectKurento(url: string, options: KurentoClientOptions = {}): Promise<KurentoClient> {
  return new Promise((resolve, reject) => {
    kurento(url, options, (error, client) => (error ? reject(error) : resolve(client)));
  });
}

async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('kurento-client 7.3.0 drives Medley unchanged', () => {
  let server: MediaServer;
  let tap: WireTap;
  let client: KurentoClient;

  before(async () => {
    server = await createMediaServer({ port: 0, logLevel: 'warn' });
    tap = await startWireTap(server.url);
    client = await connectKurento(tap.url);
  });
  after(async () => {
    client.close();
    await tap.close();
    await server.close();
  });

  test('connects with the ping, describe and getInfo handshake of a strict client', async () => {
    const [ping, describeManager, getInfo] = tap.requests();
    assert.equal(ping?.method, 'ping');
    assert.deepEqual(ping?.params, { interval: 5000 });
    assert.equal(describeManager?.method, 'describe');
    assert.equal(describeManager?.params?.object, 'manager_ServerManager');
    assert.equal(getInfo?.method, 'invoke');
    assert.equal(getInfo?.params?.operation, 'getInfo');
    const info = tap.answerTo(getInfo?.id)?.result?.value as { modules: Array<{ name: string }> };
    assert.deepEqual(info.modules.map((module) => module.name).sort(), [
      'chroma',
      'core',
      'crowddetector',
      'elements',
      'filters',
      'platedetector',
      'pointerdetector',
    ]);
    const sessionId = tap.answerTo(describeManager?.id)?.result?.sessionId;
    assert.equal(typeof sessionId, 'string');
    assert.equal(getInfo?.params?.sessionId, sessionId, 'the session the server assigned is used');
  });

  test('runs the hello-world loopback with a real Chromium peer', { timeout: 90_000 }, async () => {
    const pipeline = await client.create('MediaPipeline');
    const webRtc = await pipeline.create('WebRtcEndpoint');
    let browserCandidates = 0;
    const browser = await BrowserPeer.launch(async (candidate) => {
      await webRtc.addIceCandidate(IceCandidate(candidate));
      browserCandidates++;
    });
    try {
      const found: CandidateInit[] = [];
      const foundByOldName: CandidateInit[] = [];
      webRtc.on('IceCandidateFound', (event) => {
        const candidate = event.candidate as CandidateInit;
        found.push(candidate);
        void browser.addServerCandidate(candidate);
      });
      webRtc.on('OnIceCandidate', (event) => foundByOldName.push(event.candidate as CandidateInit));
      await webRtc.connect(webRtc);

      const answer = await webRtc.processOffer(await browser.createOffer());
      await browser.applyAnswer(answer);
      await webRtc.gatherCandidates();

      await until(async () => (await browser.decodedVideoFrames()) >= 10, 'decoded frames');
      assert.ok(found.length > 0, 'IceCandidateFound reached kurento-client');
      assert.ok(browserCandidates > 0, 'the page candidates were accepted');
      assert.deepEqual(foundByOldName, found, 'OnIceCandidate carries the same candidates');
      const subscribed = tap
        .requests()
        .filter((request) => request.method === 'subscribe')
        .map((request) => request.params?.type);
      assert.deepEqual(subscribed, ['IceCandidateFound', 'OnIceCandidate']);
      const addIceCandidate = tap
        .requests()
        .find((request) => request.params?.operation === 'addIceCandidate');
      const { candidate } = (addIceCandidate?.params?.operationParams ?? {}) as {
        candidate?: object;
      };
      assert.deepEqual(
        Object.keys(candidate ?? {}).sort(),
        ['__module__', '__type__', 'candidate', 'sdpMLineIndex', 'sdpMid'],
        'kurento-client tags the IceCandidate it sends',
      );
    } finally {
      await browser.close();
    }
    await pipeline.release();
    const manager = await client.getServerManager();
    assert.deepEqual(await manager.getPipelines(), []);
  });

  test('gatherCandidates before processOffer, as Kurento allows, still trickles the candidates', { timeout: 90_000 }, async () => {
    const pipeline = await client.create('MediaPipeline');
    const webRtc = await pipeline.create('WebRtcEndpoint');
    const browser = await BrowserPeer.launch((candidate) =>
      webRtc.addIceCandidate(IceCandidate(candidate)),
    );
    try {
      const found: CandidateInit[] = [];
      let gatheringDone = false;
      webRtc.on('IceCandidateFound', (event) => {
        const candidate = event.candidate as CandidateInit;
        found.push(candidate);
        void browser.addServerCandidate(candidate);
      });
      webRtc.on('IceGatheringDone', () => {
        gatheringDone = true;
      });
      await webRtc.connect(webRtc);
      await webRtc.gatherCandidates();
      const answer = await webRtc.processOffer(await browser.createOffer());
      assert.match(answer, /a=candidate:/, 'the candidates are added to the SDP processed');
      await browser.applyAnswer(answer);
      await until(async () => (await browser.decodedVideoFrames()) >= 10, 'decoded frames');
      await until(() => gatheringDone, 'IceGatheringDone');
      assert.ok(found.length > 0, 'IceCandidateFound reached kurento-client');
    } finally {
      await browser.close();
    }
    await pipeline.release();
  });

  test('creates a GStreamerFilter, loops video through it and changes its element while media flows', { timeout: 90_000 }, async () => {
    const pipeline = await client.create('MediaPipeline');
    const webRtc = await pipeline.create('WebRtcEndpoint');
    const filter = await pipeline.create('GStreamerFilter', {
      command: 'videoflip method=horizontal-flip',
      filterType: 'VIDEO',
    });
    const transcodingEvents: Record<string, unknown>[] = [];
    webRtc.on('MediaTranscodingStateChanged', (event) => transcodingEvents.push(event));
    const browser = await BrowserPeer.launch((candidate) =>
      webRtc.addIceCandidate(IceCandidate(candidate)),
    );
    try {
      webRtc.on('IceCandidateFound', (event) => {
        void browser.addServerCandidate(event.candidate as CandidateInit);
      });
      await webRtc.connect(filter);
      await filter.connect(webRtc);
      await browser.applyAnswer(await webRtc.processOffer(await browser.createOffer()));
      await webRtc.gatherCandidates();
      await until(async () => (await browser.decodedVideoFrames()) >= 10, 'filtered frames');
      await filter.setElementProperty('method', 'vertical-flip');
      assert.equal(await filter.getCommand(), 'videoflip method=horizontal-flip');
      assert.equal(await webRtc.isMediaTranscoding('VIDEO'), false, 'VP8 both ways: no transcoder');
      assert.deepEqual(transcodingEvents, []);
    } finally {
      await browser.close();
    }
    const refused = (await pipeline
      .create('GStreamerFilter', { command: 'filesrc location=/etc/passwd' })
      .then(
        () => assert.fail('a file-reading command must be refused'),
        (rejection: unknown) => rejection,
      )) as KurentoClientError;
    assert.equal(refused.code, 40107);
    assert.match(refused.message, /filesrc/);
    await pipeline.release();
  });

  test('an unknown object id rejects with a ReferenceError carrying code 40101', async () => {
    const error = (await client.getMediaobjectById('no-such-id_kurento.MediaPipeline').then(
      () => assert.fail('expected a rejection'),
      (rejection: unknown) => rejection,
    )) as KurentoClientError;
    assert.ok(error instanceof ReferenceError);
    assert.equal(error.code, 40101);
    assert.equal(error.data?.type, 'MEDIA_OBJECT_NOT_FOUND');
  });

  test('an unknown method rejects with a SyntaxError carrying code 40105', async () => {
    const pipeline = await client.create('MediaPipeline');
    const error = await new Promise<KurentoClientError | null>((resolve) => {
      pipeline._invoke(undefined, 'noSuchMethod', {}, (rejection) => resolve(rejection));
    });
    assert.ok(error instanceof SyntaxError);
    assert.equal(error.code, 40105);
    await pipeline.release();
  });

  test('an unknown type rejects with a TypeError carrying code 40100 (non-strict client)', async () => {
    const lenient = await connectKurento(tap.url, { strict: false });
    // kurento-client warns before sending an unknown type, and traces the failure it returns.
    const { warn, trace } = console;
    console.warn = () => {};
    console.trace = () => {};
    try {
      const error = (await lenient.create('NoSuchType').then(
        () => assert.fail('expected a rejection'),
        (rejection: unknown) => rejection,
      )) as KurentoClientError;
      assert.ok(error instanceof TypeError);
      assert.equal(error.code, 40100);
    } finally {
      Object.assign(console, { warn, trace });
      lenient.close();
    }
  });
});

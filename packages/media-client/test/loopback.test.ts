import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConnectionStateChangedEvent, MediaEvent } from '../src/index.js';
import { BrowserPeer } from './browserPeer.js';
import { connectClient, startMediaServer, until } from './helpers.js';

test('a Chromium page decodes its own video looped back through a WebRtcEndpoint', {
  timeout: 90_000,
}, async () => {
  const server = await startMediaServer();
  const client = await connectClient(server);
  const pipeline = await client.create('MediaPipeline');
  const webRtc = await pipeline.create('WebRtcEndpoint');
  await webRtc.connect(webRtc);
  let browserCandidates = 0;
  const browser = await BrowserPeer.launch(async (candidate) => {
    await webRtc.addIceCandidate(candidate);
    browserCandidates++;
  });
  try {
    const events: MediaEvent[] = [];
    const record = (event: MediaEvent) => events.push(event);
    let serverCandidates = 0;
    await webRtc.on('IceCandidateFound', ({ candidate }) => {
      serverCandidates++;
      void browser.addServerCandidate(candidate);
    });
    await webRtc.on('IceGatheringDone', record);
    await webRtc.on('NewCandidatePairSelected', record);
    await webRtc.on('ConnectionStateChanged', record);

    const offer = await browser.createOffer();
    const answer = await webRtc.processOffer(offer);
    assert.match(answer, /^v=0/);
    await browser.applyAnswer(answer);
    await webRtc.gatherCandidates();

    let framesDecoded = 0;
    await until(
      () => framesDecoded >= 10,
      'decoded frames',
      45_000,
      async () => {
        framesDecoded = await browser.decodedVideoFrames();
      },
    );
    assert.ok(serverCandidates > 0, 'the server trickled its candidates');
    assert.ok(browserCandidates > 0, 'the server accepted the page candidates');
    await until(
      () => events.some((event) => event.type === 'NewCandidatePairSelected'),
      'NewCandidatePairSelected',
    );
    assert.ok(events.some((event) => event.type === 'IceGatheringDone'));
    const connection = events.find((event) => event.type === 'ConnectionStateChanged');
    assert.equal((connection as ConnectionStateChangedEvent | undefined)?.newState, 'CONNECTED');
    const statsTypes = Object.values(await webRtc.getStats('VIDEO')).map((stats) => stats.type);
    assert.ok(statsTypes.includes('inboundrtp'), `the endpoint reports its inbound RTP`);

    await pipeline.release();
    assert.deepEqual(await client.serverManager.getPipelines(), []);
  } finally {
    await browser.close();
    client.close();
    await server.close();
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type {
  ConnectionState,
  ConnectionStateChangedEvent,
  MediaEvent,
  MediaLatencyStat,
} from '../src/index.js';
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
    const endpointConnection: ConnectionState = await webRtc.getConnectionState();
    assert.equal(endpointConnection, 'CONNECTED');
    const stats = await webRtc.getStats('VIDEO');
    const statsTypes = Object.values(stats).map((entry) => entry.type);
    assert.ok(statsTypes.includes('inboundrtp'), `the endpoint reports its inbound RTP`);
    // Narrowed on `type`, each entry has its Kurento type's fields.
    const own = stats[webRtc.id];
    assert.equal(own?.type, 'endpoint');
    if (own?.type === 'endpoint') {
      const latencies: MediaLatencyStat[] = own.E2ELatency;
      assert.deepEqual(latencies, [], 'latencyStats is off');
      assert.equal(own.videoE2ELatency, 0);
    }

    await pipeline.release();
    assert.deepEqual(await client.serverManager.getPipelines(), []);
  } finally {
    await browser.close();
    client.close();
    await server.close();
  }
});

test('the client runs in a browser page on its global WebSocket, loopback included', {
  timeout: 90_000,
}, async () => {
  const server = await startMediaServer();
  const browser = await BrowserPeer.launch(async () => {});
  try {
    const result = await browser.page.evaluate(async (url) => {
      const moduleUrl = '/media-client/index.js';
      const { connect } = (await import(moduleUrl)) as typeof import('../src/index.js');
      const client = await connect(url);
      const pipeline = await client.create('MediaPipeline');
      const webRtc = await pipeline.create('WebRtcEndpoint');
      await webRtc.connect(webRtc);
      const peer = new RTCPeerConnection({ iceServers: [] });
      const early: RTCIceCandidateInit[] = [];
      peer.onicecandidate = ({ candidate }) => {
        if (candidate?.candidate) {
          const { sdpMid, sdpMLineIndex } = candidate;
          void webRtc.addIceCandidate({
            candidate: candidate.candidate,
            sdpMid: sdpMid ?? '0',
            sdpMLineIndex: sdpMLineIndex ?? 0,
          });
        }
      };
      await webRtc.on('IceCandidateFound', ({ candidate }) => {
        if (peer.remoteDescription) void peer.addIceCandidate(candidate);
        else early.push(candidate);
      });
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      for (const track of stream.getTracks()) peer.addTrack(track, stream);
      const offer = await peer.createOffer();
      await peer.setLocalDescription(offer);
      const answer = await webRtc.processOffer(offer.sdp ?? '');
      await peer.setRemoteDescription({ type: 'answer', sdp: answer });
      for (const candidate of early) await peer.addIceCandidate(candidate);
      await webRtc.gatherCandidates();

      let framesDecoded = 0;
      for (let attempt = 0; attempt < 150 && framesDecoded < 10; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        for (const report of (await peer.getStats()).values()) {
          if (report.type === 'inbound-rtp' && report.kind === 'video') {
            framesDecoded = (report as { framesDecoded?: number }).framesDecoded ?? 0;
          }
        }
      }
      peer.close();
      await pipeline.release();
      const pipelinesLeft = (await client.serverManager.getPipelines()).length;
      client.close();
      return { framesDecoded, pipelinesLeft };
    }, server.url);

    assert.ok(result.framesDecoded >= 10, `decoded ${result.framesDecoded} frames`);
    assert.equal(result.pipelinesLeft, 0);
  } finally {
    await browser.close();
    await server.close();
  }
});

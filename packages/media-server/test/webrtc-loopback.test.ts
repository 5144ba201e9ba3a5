import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { chromiumLaunchOptions } from '../../../scripts/chromium.js';
import type { MediaServer } from '../src/index.js';
import { RpcClient } from './support/RpcClient.js';
import { eventually, startServer } from './support/server.js';

/**
 * Kurento's hello-world, end to end through the protocol: a real Chromium page sends its fake
 * camera to a WebRtcEndpoint connected to itself and decodes what comes back.
 */

const MANAGER = 'manager_ServerManager';

// Runs in the page (plain JavaScript). Candidates trickle both ways, as in the Kurento tutorials.
const PAGE_SCRIPT = `
window.startPeer = async ({ offer, dataChannel }) => {
  const pc = new RTCPeerConnection({ iceServers: [] });
  window.pc = pc;
  window.echoes = [];
  if (dataChannel) {
    window.channel = pc.createDataChannel('chat');
    window.channel.onmessage = (event) => window.echoes.push(event.data);
  }
  window.localCandidates = [];
  pc.onicecandidate = (event) => {
    if (event.candidate) window.localCandidates.push(event.candidate.toJSON());
  };
  pc.ontrack = (event) => {
    if (event.track.kind !== 'video') return;
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    video.srcObject = new MediaStream([event.track]);
    document.body.appendChild(video);
  };
  if (offer === undefined) {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
    await pc.setLocalDescription(await pc.createOffer());
    return pc.localDescription.sdp;
  }
  const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
  await pc.setRemoteDescription({ type: 'offer', sdp: offer });
  for (const track of stream.getTracks()) pc.addTrack(track, stream);
  await pc.setLocalDescription(await pc.createAnswer());
  return pc.localDescription.sdp;
};
window.takeCandidates = () => window.localCandidates.splice(0);
window.framesDecoded = async () => {
  let frames = 0;
  (await window.pc.getStats()).forEach((report) => {
    if (report.type === 'inbound-rtp' && report.kind === 'video') frames += report.framesDecoded ?? 0;
  });
  return frames;
};
`;

let server: MediaServer;
let browser: Browser;
/** getUserMedia needs a secure context: a page served from 127.0.0.1 is one, about:blank is not. */
let pageServer: Server;
let pageUrl: string;

before(async () => {
  // Worker threads encrypt what this server sends; the other WebRTC tests cover the main-thread path.
  server = await startServer({ sendWorkers: 2 });
  browser = await chromium.launch(chromiumLaunchOptions);
  pageServer = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html' });
    response.end(`<!doctype html><title>loopback</title><script>${PAGE_SCRIPT}</script>`);
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;
});

after(async () => {
  await browser?.close();
  await server?.close();
  pageServer?.close();
});

async function newPage(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(pageUrl);
  return page;
}

/** Forwards the server's IceCandidateFound events to the page and the page's candidates to the endpoint. */
function trickle(client: RpcClient, page: Page, endpoint: string): () => void {
  let forwarded = 0;
  let running = true;
  const pump = async () => {
    while (running) {
      const events = client.events.filter(
        (event) =>
          event.params.value.type === 'IceCandidateFound' && event.params.value.object === endpoint,
      );
      for (const event of events.slice(forwarded)) {
        const { candidate, sdpMid, sdpMLineIndex } = event.params.value.data
          .candidate as RTCIceCandidateInit;
        await page.evaluate((init) => window.pc.addIceCandidate(init), {
          candidate,
          sdpMid,
          sdpMLineIndex,
        });
      }
      forwarded = events.length;
      const candidates = (await page.evaluate(() => window.takeCandidates())) as Record<
        string,
        unknown
      >[];
      for (const candidate of candidates) {
        await client.invoke(endpoint, 'addIceCandidate', {
          candidate: { ...candidate, __module__: 'kurento', __type__: 'IceCandidate' },
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const done = pump().catch(() => undefined);
  return () => {
    running = false;
    void done;
  };
}

declare global {
  interface Window {
    pc: RTCPeerConnection;
    takeCandidates(): unknown[];
    framesDecoded(): Promise<number>;
    startPeer(options: { offer?: string; dataChannel?: boolean }): Promise<string>;
    channel: RTCDataChannel;
    echoes: string[];
  }
}

describe('WebRTC through the Kurento Protocol', () => {
  it('loops a Chromium camera back: processOffer, trickle ICE, frames decoded, release', async () => {
    const client = await RpcClient.open(server.url);
    const page = await newPage();
    const pipeline = await client.create('MediaPipeline');
    const endpoint = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    await client.invoke(endpoint, 'connect', { sink: endpoint });
    await client.call('subscribe', { object: endpoint, type: 'IceCandidateFound' });
    await client.call('subscribe', { object: endpoint, type: 'OnIceCandidate' });
    await client.call('subscribe', { object: endpoint, type: 'IceGatheringDone' });
    await client.call('subscribe', { object: endpoint, type: 'MediaFlowInStateChanged' });
    await client.call('subscribe', { object: endpoint, type: 'ConnectionStateChanged' });
    await client.call('subscribe', { object: endpoint, type: 'MediaSessionStarted' });

    const offer = await page.evaluate(() => window.startPeer({}));
    const answer = (await client.invoke(endpoint, 'processOffer', { offer })) as string;
    assert.match(answer, /^v=0/);
    await page.evaluate((sdp) => window.pc.setRemoteDescription({ type: 'answer', sdp }), answer);
    const stopTrickle = trickle(client, page, endpoint);
    await client.invoke(endpoint, 'gatherCandidates');

    const found = await client.waitForEvent('IceCandidateFound', endpoint);
    const candidate = found.params.value.data.candidate as Record<string, unknown>;
    assert.equal(candidate.__type__, 'IceCandidate');
    assert.match(String(candidate.candidate), /^candidate:/);
    await client.waitForEvent('OnIceCandidate', endpoint);
    await client.waitForEvent('IceGatheringDone', endpoint);

    const frames = await eventually(
      async () => {
        const decoded = await page.evaluate(() => window.framesDecoded());
        return decoded >= 30 ? decoded : undefined;
      },
      'the page decodes 30 looped-back frames',
      20_000,
    );
    console.log(`loopback: ${frames} frames decoded by Chromium`);
    const connected = await client.waitForEvent('ConnectionStateChanged', endpoint);
    assert.equal(connected.params.value.data.newState, 'CONNECTED');
    await client.waitForEvent('MediaSessionStarted', endpoint);
    const flowing = await client.waitForEvent('MediaFlowInStateChanged', endpoint);
    assert.equal(flowing.params.value.data.state, 'FLOWING');
    assert.equal(await client.invoke(endpoint, 'isMediaFlowingIn', { mediaType: 'VIDEO' }), true);
    assert.equal(await client.invoke(endpoint, 'getConnectionState'), 'CONNECTED');
    assert.match((await client.invoke(endpoint, 'getLocalSessionDescriptor')) as string, /^v=0/);
    assert.match((await client.invoke(endpoint, 'getRemoteSessionDescriptor')) as string, /^v=0/);
    const stats = (await client.invoke(endpoint, 'getStats', { mediaType: 'VIDEO' })) as Record<
      string,
      { type: string }
    >;
    assert.equal(stats[endpoint]?.type, 'endpoint', "Kurento's EndpointStats, under its id");

    stopTrickle();
    await client.call('release', { object: pipeline });
    assert.deepEqual(await client.invoke(MANAGER, 'getPipelines'), []);
    assert.equal(server.objectCount, 1, 'only the ServerManager is left');
    await page.close();
    await client.close();
  });

  it('negotiates the other way too: generateOffer, then processAnswer', async () => {
    const client = await RpcClient.open(server.url);
    const page = await newPage();
    const pipeline = await client.create('MediaPipeline');
    const endpoint = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    await client.invoke(endpoint, 'connect', { sink: endpoint });
    await client.call('subscribe', { object: endpoint, type: 'IceCandidateFound' });
    const offer = (await client.invoke(endpoint, 'generateOffer')) as string;
    const answer = await page.evaluate((sdp) => window.startPeer({ offer: sdp }), offer);
    await client.invoke(endpoint, 'processAnswer', { answer });
    const stopTrickle = trickle(client, page, endpoint);
    await client.invoke(endpoint, 'gatherCandidates');
    await eventually(
      async () => ((await page.evaluate(() => window.framesDecoded())) >= 30 ? true : undefined),
      'frames decoded after a server offer',
      20_000,
    );
    stopTrickle();
    await client.call('release', { object: pipeline });
    await page.close();
    await client.close();
  });

  it("opens the browser's data channel and echoes it back through a self-connection", async () => {
    const client = await RpcClient.open(server.url);
    const page = await newPage();
    const pipeline = await client.create('MediaPipeline');
    const endpoint = await client.create('WebRtcEndpoint', {
      mediaPipeline: pipeline,
      useDataChannels: true,
    });
    await client.invoke(endpoint, 'connect', { sink: endpoint });
    await client.call('subscribe', { object: endpoint, type: 'IceCandidateFound' });
    await client.call('subscribe', { object: endpoint, type: 'DataChannelOpened' });
    await client.call('subscribe', { object: endpoint, type: 'OnDataChannelOpened' });
    const offer = await page.evaluate(() => window.startPeer({ dataChannel: true }));
    const answer = (await client.invoke(endpoint, 'processOffer', { offer })) as string;
    await page.evaluate((sdp) => window.pc.setRemoteDescription({ type: 'answer', sdp }), answer);
    const stopTrickle = trickle(client, page, endpoint);
    await client.invoke(endpoint, 'gatherCandidates');
    const opened = await client.waitForEvent('DataChannelOpened', endpoint);
    assert.equal(typeof opened.params.value.data.channelId, 'number');
    await client.waitForEvent('OnDataChannelOpened', endpoint);
    await page.waitForFunction(() => window.channel.readyState === 'open');
    await page.evaluate(() => window.channel.send('hello through Medley'));
    await page.waitForFunction(() => window.echoes.includes('hello through Medley'));
    stopTrickle();
    await client.call('release', { object: pipeline });
    await page.close();
    await client.close();
  });

  it('answers SDP mistakes with Kurento SDP error codes', async () => {
    const client = await RpcClient.open(server.url);
    const pipeline = await client.create('MediaPipeline');
    const endpoint = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    const noLocal = await client.failure('invoke', {
      object: endpoint,
      operation: 'getLocalSessionDescriptor',
    });
    assert.equal(noLocal.code, 40202);
    const garbage = await client.failure('invoke', {
      object: endpoint,
      operation: 'processOffer',
      operationParams: { offer: 'this is not SDP' },
    });
    assert.ok(garbage.code >= 40200 && garbage.code < 40300, `${garbage.code} ${garbage.message}`);
    assert.equal(garbage.code, 40201);

    const other = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    const offer = (await client.invoke(other, 'generateOffer')) as string;
    const notAnOffer = await client.failure('invoke', {
      object: endpoint,
      operation: 'processAnswer',
      operationParams: { answer: offer },
    });
    assert.equal(notAnOffer.code, 40209);
    const again = await client.failure('invoke', { object: other, operation: 'generateOffer' });
    assert.equal(again.code, 40208);
    assert.equal(again.data?.type, 'SDP_END_POINT_ALREADY_NEGOTIATED');
    await client.call('release', { object: pipeline });
    await client.close();
  });
});

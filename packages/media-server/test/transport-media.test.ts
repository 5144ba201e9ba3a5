import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Page } from 'playwright-core';
import type { MediaGraphError, MediaSinkPad } from '../src/graph/index.js';
import { WebRtcTransport, type WebRtcTransportOptions } from '../src/transport/index.js';
import { eventually } from './support/server.js';
import { BrowserHarness, BrowserPeer, LOOPBACK } from './transport-harness.js';

// One Chromium for the file; every test uses its own peers on a shared page.
describe('WebRtcTransport with Chromium', () => {
  const harness = new BrowserHarness();
  let page: Page;
  const transports: WebRtcTransport[] = [];
  const newTransport = (options: WebRtcTransportOptions = {}) => {
    const transport = new WebRtcTransport({ ...LOOPBACK, ...options });
    transports.push(transport);
    return transport;
  };
  /** A browser that only sends, received by a recvonly transport. */
  const publisher = async (id: string, videoCodecs?: string[]) => {
    const transport = newTransport({ recvonly: true, name: id });
    const peer = await BrowserPeer.create(page, id, {
      receive: false,
      ...(videoCodecs ? { videoCodecs } : {}),
    });
    await peer.connectByBrowserOffer(transport);
    return { transport, peer };
  };
  /** A browser that only receives, fed by a sendonly transport. */
  const subscriber = async (id: string, videoCodecs?: string[]) => {
    const transport = newTransport({ sendonly: true, name: id });
    const peer = await BrowserPeer.create(page, id, {
      send: false,
      ...(videoCodecs ? { videoCodecs } : {}),
    });
    await peer.connectByBrowserOffer(transport);
    return { transport, peer };
  };
  const flowing = (transport: WebRtcTransport) =>
    new Promise<void>((resolve) => {
      if (transport.node.isMediaFlowingOut('VIDEO')) resolve();
      transport.node.on('mediaflowout', (change) => change.mediaType === 'VIDEO' && resolve());
    });

  before(async () => {
    await harness.start();
    page = await harness.newPage();
  });

  after(async () => {
    await Promise.all(transports.map((transport) => transport.close()));
    await harness.stop();
  });

  test('a transport connected to itself sends the browser its own video and audio (loopback)', async () => {
    const transport = newTransport();
    transport.node.connect(transport.node);
    const events: string[] = [];
    transport.on('icegatheringdone', () => events.push('icegatheringdone'));
    transport.on('connectionstatechange', (change) => events.push(`connection ${change.newState}`));
    transport.on('mediastatechange', (change) => events.push(`media ${change.newState}`));
    transport.on('newcandidatepairselected', (pair) =>
      events.push(
        `pair ${pair.localCandidate.split(' ')[4]} ${pair.remoteCandidate.split(' ')[4]}`,
      ),
    );
    const peer = await BrowserPeer.create(page, 'loopback', {});
    await peer.connectByBrowserOffer(transport);
    await peer.waitForStats((stats) => stats.framesDecoded > 10 && stats.audioPacketsReceived > 20);
    assert.equal(transport.connectionState, 'CONNECTED');
    assert.equal(transport.mediaState, 'CONNECTED');
    assert.equal(transport.node.isMediaFlowingIn('VIDEO'), true);
    assert.equal(transport.node.isMediaFlowingOut('AUDIO'), true);
    assert.deepEqual(events.slice(0, 4), [
      'icegatheringdone',
      'pair 127.0.0.1 127.0.0.1',
      'connection CONNECTED',
      'media CONNECTED',
    ]);
    const stats = [...(await transport.getStats()).values()];
    for (const type of ['inbound-rtp', 'outbound-rtp']) {
      assert.ok(
        stats.some((entry) => entry.type === type && entry.kind === 'video'),
        `no ${type} video stats`,
      );
    }
    await peer.close();
  });

  test('media of one browser reaches another through a graph link between two transports', async () => {
    const a = await publisher('forward-a');
    const b = await subscriber('forward-b');
    a.transport.node.connect(b.transport.node);
    await b.peer.waitForStats(
      (stats) => stats.framesDecoded > 10 && stats.audioPacketsReceived > 20,
    );
    await a.peer.close();
    await b.peer.close();
  });

  test('a browser sending 720p to the server is not held at its 300 kbps start bitrate', async () => {
    const transport = newTransport({ recvonly: true });
    const peer = await BrowserPeer.create(page, 'uplink', {
      receive: false,
      videoSize: [1280, 720],
    });
    await peer.connectByBrowserOffer(transport);
    const deadline = Date.now() + 15_000;
    let estimate = await peer.availableOutgoingBitrate();
    while (estimate <= 600_000 && Date.now() < deadline) {
      await sleep(500);
      estimate = await peer.availableOutgoingBitrate();
    }
    assert.ok(estimate > 600_000, `the browser's estimate stayed at ${estimate} bit/s`);
    await peer.close();
  });

  test('a server-generated offer answered by the browser carries media both ways', async () => {
    const transport = newTransport();
    transport.node.connect(transport.node);
    const peer = await BrowserPeer.create(page, 'server-offer', {});
    await peer.connectByServerOffer(transport);
    await peer.waitForStats((stats) => stats.framesDecoded > 10 && stats.audioPacketsReceived > 20);
    await peer.close();
  });

  test('requestKeyframe() sends the browser a PLI', async () => {
    const a = await publisher('keyframe-a');
    await flowing(a.transport);
    const before = (await a.peer.stats()).pliReceived;
    // Past the throttle window of any request made while connecting.
    await sleep(600);
    a.transport.requestKeyframe();
    await a.peer.waitForStats((stats) => stats.pliReceived > before, 3000);
    await a.peer.close();
  });

  test('a sink joining a long-running source gets a keyframe and decodes within two seconds', async () => {
    const a = await publisher('late-a');
    await flowing(a.transport);
    // Browsers send VP8 keyframes only when asked: without a request a late sink stays black.
    await sleep(3000);
    const b = await subscriber('late-b');
    a.transport.node.connect(b.transport.node);
    await b.peer.waitForStats((stats) => stats.framesDecoded > 0, 2000);
    await a.peer.close();
    await b.peer.close();
  });

  test("switching a sink's source from A to C keeps its browser decoding", async () => {
    const a = await publisher('switch-a');
    const c = await publisher('switch-c');
    const b = await subscriber('switch-b');
    a.transport.node.connect(b.transport.node);
    const beforeSwitch = await b.peer.waitForStats((stats) => stats.framesDecoded > 10);
    c.transport.node.connect(b.transport.node);
    // A stops: whatever B decodes from now on came from C.
    await a.peer.close();
    await sleep(500);
    const stopped = await b.peer.stats();
    const afterSwitch = await b.peer.waitForStats(
      (stats) =>
        stats.framesDecoded > stopped.framesDecoded + 20 &&
        stats.audioPacketsReceived > stopped.audioPacketsReceived + 50,
    );
    assert.ok(afterSwitch.framesDecoded > beforeSwitch.framesDecoded);
    await c.peer.close();
    await b.peer.close();
  });

  test('a sink whose browser negotiated another codec reports the mismatch instead of sending black video', async (t) => {
    const hasH264 = await page.evaluate(() =>
      RTCRtpReceiver.getCapabilities('video')?.codecs.some(
        (codec) => codec.mimeType === 'video/H264',
      ),
    );
    if (!hasH264) {
      t.skip('this Chromium cannot decode H.264');
      return;
    }
    const a = await publisher('mismatch-a', ['video/VP8']);
    const b = await subscriber('mismatch-b', ['video/H264']);
    const error = new Promise<MediaGraphError>((resolve) =>
      b.transport.node.on('mediaerror', resolve),
    );
    a.transport.node.connect(b.transport.node);
    const reported = await error;
    assert.equal(reported.code, 'CODEC_NOT_NEGOTIATED');
    assert.equal(reported.mediaType, 'VIDEO');
    assert.match(reported.message, /VP8/);
    assert.equal((await b.peer.stats()).framesDecoded, 0);
    await a.peer.close();
    await b.peer.close();
  });

  test('subscribers of a simulcast publisher each decode the layer their bandwidth estimate fits', async () => {
    const publisherTransport = newTransport({ recvonly: true });
    // Small layers: both fit in the 300 kbit/s a browser starts its estimate at.
    const publisherPeer = await BrowserPeer.create(page, 'simulcast-publisher', {
      receive: false,
      audio: false,
      videoSize: [640, 480],
      simulcast: [
        { rid: 'q', scaleResolutionDownBy: 2, maxBitrate: 60_000 },
        { rid: 'f', maxBitrate: 200_000 },
      ],
    });
    await publisherPeer.connectByBrowserOffer(publisherTransport);
    const constrained = await subscriber('simulcast-constrained');
    const unconstrained = await subscriber('simulcast-unconstrained');
    // As if one browser's estimate stayed at 100 kbit/s: every REMB it sends is replaced (an
    // estimate set once would be replaced by the browser's own, which has room for both layers).
    holdEstimate(constrained.transport.node.sink('VIDEO'), 100_000);
    // And the other's at 1 Mbit/s: a browser that gets the lower layer estimates at most about
    // 1.5x what it receives (REMB, no probing), so once its first REMB beat the upper layer's
    // first key frame it would stay below the upper layer for good (seen on a busy CI).
    holdEstimate(unconstrained.transport.node.sink('VIDEO'), 1_000_000);
    publisherTransport.node.connect(constrained.transport.node);
    publisherTransport.node.connect(unconstrained.transport.node);
    const low = await constrained.peer.waitForStats(
      (stats) => stats.framesDecoded > 20 && stats.frameWidth > 0,
    );
    // The switch waits for the upper layer's first key frame, which comes when the browser's
    // encoder brings that layer up: seconds on a loaded machine (10 s was missed on a busy CI).
    await eventually(
      () => unconstrained.transport.node.sink('VIDEO').layer === 1 || undefined,
      'the unconstrained subscriber moves to the upper layer',
      40_000,
    );
    const high = await unconstrained.peer.waitForStats((stats) => stats.framesDecoded > 20);
    assert.equal(constrained.transport.node.sink('VIDEO').layer, 0);
    // Which layer each one decodes, told by its bitrate: the upper layer is sent at up to
    // 200 kbit/s, the lower at up to 60. Not by frame size: Chromium's encoder may send the upper
    // layer at the lower's size for a minute when its share of the start bitrate is small.
    const [lowRate, highRate] = await Promise.all([
      receivedVideoBitrate(constrained.peer),
      receivedVideoBitrate(unconstrained.peer),
    ]);
    assert.ok(lowRate < 60_000 * 1.5, `the constrained subscriber receives ${lowRate} bit/s`);
    assert.ok(
      highRate > lowRate * 1.5,
      `the unconstrained subscriber receives ${highRate} bit/s, the constrained ${lowRate}`,
    );
    assert.ok(high.frameWidth >= low.frameWidth);
    assert.equal(high.videoPacketsLost, 0, 'the layer switch kept the sequence unbroken');
    await publisherPeer.close();
    await constrained.peer.close();
    await unconstrained.peer.close();
  });

  test('data channel messages loop back when the transport is connected to itself', async () => {
    const transport = newTransport({ useDataChannels: true });
    transport.node.connect(transport.node);
    const opened = new Promise((resolve) => transport.on('datachannelopened', resolve));
    const peer = await BrowserPeer.create(page, 'data', {
      dataChannel: true,
      audio: false,
      video: false,
    });
    await peer.connectByBrowserOffer(transport);
    await opened;
    const echoed = await page.evaluate(async () => {
      const { channel, messages } = window.peers.data as unknown as {
        channel: RTCDataChannel;
        messages: string[];
      };
      if (channel.readyState !== 'open')
        await new Promise((resolve) => channel.addEventListener('open', resolve));
      channel.send('ping');
      for (let i = 0; i < 50 && messages.length === 0; i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      return messages;
    });
    assert.deepEqual(echoed, ['ping']);
    const serverChannel = new Promise<string>((resolve) =>
      transport.on('datachannelopened', ({ label }) => label === 'from-server' && resolve(label)),
    );
    transport.createDataChannel('from-server');
    assert.equal(await serverChannel, 'from-server');
    const closed = new Promise((resolve) => transport.on('datachannelclosed', resolve));
    await peer.close();
    await closed;
  });
});

/** The video bit rate a browser peer receives, over 3 s. */
async function receivedVideoBitrate(peer: BrowserPeer): Promise<number> {
  const before = await peer.stats();
  const startedAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const after = await peer.stats();
  const seconds = (performance.now() - startedAt) / 1000;
  return Math.round(((after.videoBytesReceived - before.videoBytesReceived) * 8) / seconds);
}

/** Replaces every receiver estimate `sink` gets (its browser's REMBs) by `bitsPerSecond`. */
function holdEstimate(sink: MediaSinkPad, bitsPerSecond: number): void {
  const report = sink.reportReceiverBitrate.bind(sink);
  sink.reportReceiverBitrate = () => report(bitsPerSecond);
  sink.reportReceiverBitrate(bitsPerSecond);
}

import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { browserSuite } from './support/browserSuite.js';
import { eventually } from './support/server.js';
import { stageProcesses } from './support/stageProcesses.js';
import { BrowserPeer, type PeerOptions } from './transport-harness.js';

/**
 * Automatic transcoding with real Chromium peers: a publisher and viewers restricted to codecs
 * they do not share. What the viewers decode, and how many GStreamer processes run, is checked.
 */
describe('automatic transcoding', () => {
  const suite = browserSuite();

  async function newPipeline(context: TestContext): Promise<string> {
    const pipeline = await suite.client.create('MediaPipeline');
    context.after(() => suite.client.call('release', { object: pipeline }).catch(() => undefined));
    return pipeline;
  }

  async function peerOnEndpoint(
    context: TestContext,
    pipeline: string,
    id: string,
    options: PeerOptions,
  ) {
    const endpoint = await suite.client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    const peer = await BrowserPeer.create(suite.page, id, options);
    context.after(() => peer.close());
    await peer.connectToEndpoint(suite.client, endpoint);
    return { endpoint, peer };
  }

  test('a VP8 publisher reaches H.264-only viewers through one shared transcoder', async (context) => {
    const pipeline = await newPipeline(context);
    const publisher = await peerOnEndpoint(context, pipeline, 'vp8-publisher', {
      source: 'synthetic',
      receive: false,
      videoCodecs: ['video/VP8'],
    });
    await suite.client.call('subscribe', {
      object: publisher.endpoint,
      type: 'MediaTranscodingStateChanged',
    });
    const from = suite.client.received.length;
    const viewers = [];
    for (const id of ['h264-viewer-1', 'h264-viewer-2']) {
      const viewer = await peerOnEndpoint(context, pipeline, id, {
        send: false,
        videoCodecs: ['video/H264'],
      });
      await suite.client.invoke(publisher.endpoint, 'connect', { sink: viewer.endpoint });
      viewers.push(viewer);
    }
    for (const { peer } of viewers) {
      const stats = await peer.waitForStats((seen) => seen.framesDecoded > 15, 30_000);
      assert.equal(stats.videoCodec, 'video/H264');
      const picture = await peer.samplePicture();
      assert.ok(picture, 'a decoded picture');
      assert.ok(picture.left[0] > 150 && picture.left[2] < 100, `left half red: ${picture.left}`);
      assert.ok(
        picture.right[2] > 150 && picture.right[0] < 100,
        `right half blue: ${picture.right}`,
      );
    }
    const started = await suite.client.waitForEvent(
      'MediaTranscodingStateChanged',
      publisher.endpoint,
      from,
    );
    assert.equal(started.params.value.data.state, 'TRANSCODING');
    assert.equal(started.params.value.data.mediaType, 'VIDEO');
    assert.equal(
      await suite.client.invoke(publisher.endpoint, 'isMediaTranscoding', { mediaType: 'VIDEO' }),
      true,
    );
    assert.equal(
      await suite.client.invoke(publisher.endpoint, 'isMediaTranscoding', { mediaType: 'AUDIO' }),
      false,
      'Opus reaches the viewers as it is',
    );
    assert.equal((await stageProcesses()).length, 1, 'both viewers share one transcoder');
    const stoppedFrom = suite.client.received.length;
    for (const { endpoint } of viewers) await suite.client.call('release', { object: endpoint });
    const stopped = await suite.client.waitForEvent(
      'MediaTranscodingStateChanged',
      publisher.endpoint,
      stoppedFrom,
    );
    assert.equal(stopped.params.value.data.state, 'NOT_TRANSCODING');
    await eventually(
      async () => ((await stageProcesses()).length === 0 ? true : undefined),
      'the transcoder process is gone with its last viewer',
    );
  });

  test('an H.264 publisher reaches a VP8-only viewer', async (context) => {
    const pipeline = await newPipeline(context);
    const publisher = await peerOnEndpoint(context, pipeline, 'h264-publisher', {
      source: 'synthetic',
      receive: false,
      videoCodecs: ['video/H264'],
    });
    const viewer = await peerOnEndpoint(context, pipeline, 'vp8-viewer', {
      send: false,
      videoCodecs: ['video/VP8'],
    });
    await suite.client.invoke(publisher.endpoint, 'connect', { sink: viewer.endpoint });
    const stats = await viewer.peer.waitForStats((seen) => seen.framesDecoded > 15, 30_000);
    assert.equal(stats.videoCodec, 'video/VP8');
  });

  test('Opus reaches a PCMU-only viewer as audible G.711', async (context) => {
    const pipeline = await newPipeline(context);
    const publisher = await peerOnEndpoint(context, pipeline, 'opus-publisher', {
      source: 'synthetic',
      receive: false,
      video: false,
    });
    const viewer = await peerOnEndpoint(context, pipeline, 'pcmu-viewer', {
      send: false,
      video: false,
      audioCodecs: ['audio/PCMU'],
    });
    await suite.client.invoke(publisher.endpoint, 'connect', { sink: viewer.endpoint });
    const first = await viewer.peer.waitForStats((seen) => seen.audioPacketsReceived > 50, 30_000);
    assert.equal(first.audioCodec, 'audio/PCMU');
    // The tone is a half-scale sine (RMS 0.35); G.711 keeps it well above 0.1, silence is 0.
    await eventually(
      async () => ((await viewer.peer.audioLevel()) > 0.1 ? true : undefined),
      'the viewer hears the tone',
      20_000,
    );
  });
});

describe('transcoding off (--transcoding never)', () => {
  const suite = browserSuite({ processing: { transcoding: 'never' } });

  test('a link between codecs that do not match is refused, naming both', async () => {
    const pipeline = await suite.client.create('MediaPipeline');
    const publisher = await suite.client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    const viewer = await suite.client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    const publishing = await BrowserPeer.create(suite.page, 'publisher', {
      receive: false,
      videoCodecs: ['video/VP8'],
    });
    const viewing = await BrowserPeer.create(suite.page, 'viewer', {
      send: false,
      videoCodecs: ['video/H264'],
    });
    await publishing.connectToEndpoint(suite.client, publisher);
    await viewing.connectToEndpoint(suite.client, viewer);
    const refused = await suite.client.failure('invoke', {
      object: publisher,
      operation: 'connect',
      operationParams: { sink: viewer, mediaType: 'VIDEO' },
    });
    assert.equal(refused.code, 40004);
    assert.match(refused.message, /VP8/);
    assert.match(refused.message, /H264/);
    assert.match(refused.message, /--transcoding auto/);
    await suite.client.invoke(publisher, 'connect', { sink: viewer, mediaType: 'AUDIO' });
    assert.equal((await stageProcesses()).length, 0);
    await publishing.close();
    await viewing.close();
    await suite.client.call('release', { object: pipeline });
  });
});

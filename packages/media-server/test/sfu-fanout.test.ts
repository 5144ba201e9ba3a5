import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { browserSuite } from './support/browserSuite.js';
import type { EventNotification } from './support/RpcClient.js';
import { eventually } from './support/server.js';
import { BrowserPeer, type InboundStats } from './transport-harness.js';

/**
 * The SFU through the Kurento Protocol with real Chromium peers: one publisher fanned out to
 * many subscribers, and the dispatcher hubs switching sources under a subscriber.
 */
describe('fan-out and hubs with Chromium', () => {
  const suite = browserSuite();
  let pipeline: string;

  /** A browser publishing camera and microphone into a new WebRtcEndpoint. */
  async function publish(id: string) {
    const endpoint = await suite.client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    const peer = await BrowserPeer.create(suite.page, id, { receive: false });
    await peer.connectToEndpoint(suite.client, endpoint);
    return { endpoint, peer };
  }

  /** A browser receiving from a new WebRtcEndpoint (fed by whatever connects to it). */
  async function subscribe(id: string) {
    const endpoint = await suite.client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    const peer = await BrowserPeer.create(suite.page, id, { send: false });
    await peer.connectToEndpoint(suite.client, endpoint);
    return { endpoint, peer };
  }

  async function videoStats(endpoint: string): Promise<Record<string, unknown>[]> {
    const report = (await suite.client.invoke(endpoint, 'getStats', {
      mediaType: 'VIDEO',
    })) as Record<string, Record<string, unknown>>;
    return Object.values(report);
  }

  function flowEvents(type: string, object: string, from: number): EventNotification[] {
    return suite.client.events
      .slice(from)
      .filter(
        (event) =>
          event.params.value.type === type &&
          event.params.value.object === object &&
          event.params.value.data.mediaType === 'VIDEO',
      );
  }

  /** Waits until every peer decoded `frames` more frames than in `since`. */
  async function allDecode(
    peers: readonly BrowserPeer[],
    since: readonly InboundStats[],
    frames: number,
    timeoutMs = 10_000,
  ): Promise<InboundStats[]> {
    return Promise.all(
      peers.map((peer, index) =>
        peer.waitForStats(
          (stats) => stats.framesDecoded >= (since[index]?.framesDecoded ?? 0) + frames,
          timeoutMs,
        ),
      ),
    );
  }

  test('one publisher reaches five subscribers; a vanished or leaving subscriber stalls nobody; flow and connection events follow the media', async () => {
    pipeline = await suite.client.create('MediaPipeline');
    const publisher = await publish('fan-publisher');
    const subscribers = [];
    for (let index = 0; index < 5; index++) subscribers.push(await subscribe(`fan-${index}`));
    for (const type of ['MediaFlowOutStateChanged', 'MediaFlowInStateChanged']) {
      await suite.client.call('subscribe', { object: publisher.endpoint, type });
      for (const { endpoint } of subscribers)
        await suite.client.call('subscribe', { object: endpoint, type });
    }
    const eventsFrom = suite.client.events.length;
    for (const { endpoint } of subscribers)
      await suite.client.invoke(publisher.endpoint, 'connect', { sink: endpoint });

    const peers = subscribers.map(({ peer }) => peer);
    const started = await allDecode(peers, [], 20);
    for (const stats of started) assert.ok(stats.audioPacketsReceived > 0, 'audio arrives too');
    assert.equal(
      await suite.client.invoke(publisher.endpoint, 'isMediaFlowingOut', { mediaType: 'VIDEO' }),
      true,
    );
    for (const { endpoint } of subscribers) {
      const [flowing] = flowEvents('MediaFlowInStateChanged', endpoint, eventsFrom);
      assert.equal(flowing?.params.value.data.state, 'FLOWING');
    }

    // Audio and video leave each subscriber endpoint with their own SSRCs.
    const [first] = subscribers;
    assert.ok(first);
    const outbound = (await suite.client.invoke(first.endpoint, 'getStats')) as Record<
      string,
      Record<string, unknown>
    >;
    const ssrcs = Object.values(outbound)
      .filter((entry) => entry.type === 'outboundrtp')
      .map((entry) => [entry.kind, entry.ssrc]);
    assert.equal(new Set(ssrcs.map(([, ssrc]) => ssrc)).size, 2, JSON.stringify(ssrcs));

    // The subscribers' REMB estimates reach the publisher (browsers start estimating after ~5 s).
    const rembToPublisher = await eventually(
      async () =>
        // Kurento's remb is 0 until one was sent.
        ((await videoStats(publisher.endpoint)).find((entry) => entry.type === 'inboundrtp')
          ?.remb as number) || undefined,
      'a REMB sent to the publisher',
      12_000,
    );
    assert.ok(rembToPublisher >= 100_000, `REMB to the publisher: ${rembToPublisher}`);

    // One subscriber's browser disappears without a word, another leaves properly.
    const [dead, leaving, ...staying] = subscribers;
    assert.ok(dead && leaving);
    await suite.client.call('subscribe', { object: dead.endpoint, type: 'ConnectionStateChanged' });
    const beforeDeath = suite.client.events.length;
    await dead.peer.close();
    const disconnected = await suite.client.waitForEvent(
      'ConnectionStateChanged',
      dead.endpoint,
      beforeDeath,
    );
    assert.equal(disconnected.params.value.data.newState, 'DISCONNECTED');
    await suite.client.call('release', { object: leaving.endpoint });
    await leaving.peer.close();
    const stayingPeers = staying.map(({ peer }) => peer);
    await allDecode(stayingPeers, await Promise.all(stayingPeers.map((peer) => peer.stats())), 30);
    const afterLeave = suite.client.events.length;
    assert.ok(
      flowEvents('MediaFlowOutStateChanged', publisher.endpoint, eventsFrom).every(
        (event) => event.params.value.data.state === 'FLOWING',
      ),
      'the publisher still flows out',
    );
    for (const { endpoint } of staying)
      assert.equal(flowEvents('MediaFlowInStateChanged', endpoint, eventsFrom).length, 1);

    // The publisher stops: its endpoint and every subscriber's report NOT_FLOWING.
    await publisher.peer.close();
    await eventually(
      () => flowEvents('MediaFlowOutStateChanged', publisher.endpoint, afterLeave)[0],
      'the publisher endpoint reports NOT_FLOWING',
    );
    for (const { endpoint } of staying) {
      const [stopped] = await eventually(() => {
        const found = flowEvents('MediaFlowInStateChanged', endpoint, afterLeave);
        return found.length > 0 ? found : undefined;
      }, 'a subscriber endpoint reports NOT_FLOWING');
      assert.equal(stopped?.params.value.data.state, 'NOT_FLOWING');
    }
    for (const { peer } of staying) await peer.close();
    await suite.client.call('release', { object: pipeline });
  });

  test('DispatcherOneToMany switches every port to a new source without breaking the stream', async () => {
    pipeline = await suite.client.create('MediaPipeline');
    const dispatcher = await suite.client.create('DispatcherOneToMany', {
      mediaPipeline: pipeline,
    });
    const a = await publish('one-to-many-a');
    const b = await publish('one-to-many-b');
    const viewer = await subscribe('one-to-many-viewer');
    const portA = await suite.client.create('HubPort', { hub: dispatcher });
    const portB = await suite.client.create('HubPort', { hub: dispatcher });
    const viewerPort = await suite.client.create('HubPort', { hub: dispatcher });
    await suite.client.invoke(a.endpoint, 'connect', { sink: portA });
    await suite.client.invoke(b.endpoint, 'connect', { sink: portB });
    await suite.client.invoke(viewerPort, 'connect', { sink: viewer.endpoint });

    await suite.client.invoke(dispatcher, 'setSource', { source: portA });
    const fromA = await viewer.peer.waitForStats((stats) => stats.framesDecoded > 20);
    const bBefore = await b.peer.stats();
    await suite.client.invoke(dispatcher, 'setSource', { source: portB });
    await a.peer.close(); // whatever the viewer decodes from now on came from B
    const fromB = await allDecode([viewer.peer], [fromA], 40);
    const viewerStats = fromB[0] as InboundStats;
    // Sequence numbers continue across the switch: a jump would count as thousands lost.
    assert.ok(
      viewerStats.videoPacketsLost <= 2,
      `packets lost across the switch: ${viewerStats.videoPacketsLost}`,
    );
    assert.ok(viewerStats.freezeCount <= 1, `freezes: ${viewerStats.freezeCount}`);
    const bAfter = await b.peer.stats();
    assert.ok(bAfter.pliReceived > bBefore.pliReceived, 'the new source was asked for a keyframe');

    await suite.client.invoke(dispatcher, 'removeSource');
    await b.peer.close();
    await viewer.peer.close();
    await suite.client.call('release', { object: pipeline });
  });

  test('Dispatcher routes a chosen port to another and reroutes it', async () => {
    pipeline = await suite.client.create('MediaPipeline');
    const dispatcher = await suite.client.create('Dispatcher', { mediaPipeline: pipeline });
    const a = await publish('dispatcher-a');
    const b = await publish('dispatcher-b');
    const viewer = await subscribe('dispatcher-viewer');
    const [portA, portB, viewerPort] = [
      await suite.client.create('HubPort', { hub: dispatcher }),
      await suite.client.create('HubPort', { hub: dispatcher }),
      await suite.client.create('HubPort', { hub: dispatcher }),
    ];
    await suite.client.invoke(a.endpoint, 'connect', { sink: portA });
    await suite.client.invoke(b.endpoint, 'connect', { sink: portB });
    await suite.client.invoke(viewerPort, 'connect', { sink: viewer.endpoint });
    await sleep(500);
    assert.equal((await viewer.peer.stats()).framesDecoded, 0, 'an unrouted port sends nothing');

    await suite.client.invoke(dispatcher, 'connect', { source: portA, sink: viewerPort });
    const fromA = await viewer.peer.waitForStats((stats) => stats.framesDecoded > 10);
    await suite.client.invoke(dispatcher, 'connect', { source: portB, sink: viewerPort });
    await a.peer.close();
    const [fromB] = await allDecode([viewer.peer], [fromA], 20);
    assert.ok((fromB?.videoPacketsLost ?? 0) <= 2);

    await b.peer.close();
    await viewer.peer.close();
    await suite.client.call('release', { object: pipeline });
  });
});

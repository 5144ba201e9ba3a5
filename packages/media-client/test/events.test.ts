import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MediaServer } from '../../media-server/src/index.js';
import type { ElementConnectionEvent } from '../src/index.js';
import { delay, nextValue, recordedClient, startMediaServer, until } from './helpers.js';

describe('events', () => {
  let server: MediaServer;

  before(async () => {
    server = await startMediaServer();
  });
  after(async () => {
    await server.close();
  });

  test('subscribes on the first listener and unsubscribes after the last one is removed', async () => {
    const { client, recorder } = await recordedClient(server);
    const pipeline = await client.create('MediaPipeline');
    const webRtc = await pipeline.create('WebRtcEndpoint');
    const passThrough = await pipeline.create('PassThrough');
    const first: ElementConnectionEvent[] = [];
    const second: ElementConnectionEvent[] = [];
    const onFirst = (event: ElementConnectionEvent) => first.push(event);
    const onSecond = (event: ElementConnectionEvent) => second.push(event);

    await Promise.all([
      webRtc.on('ElementConnected', onFirst),
      webRtc.on('ElementConnected', onSecond),
    ]);
    assert.equal(recorder.requests('subscribe').length, 1);
    assert.deepEqual(recorder.requests('subscribe')[0]?.params, {
      type: 'ElementConnected',
      object: webRtc.id,
      sessionId: client.sessionId,
    });

    await webRtc.connect(passThrough, 'VIDEO');
    await until(() => first.length === 1 && second.length === 1, 'ElementConnected');
    assert.equal(first.length, 1);
    assert.equal(first[0]?.sink, passThrough.id);
    assert.equal(first[0]?.mediaType, 'VIDEO');
    assert.equal(second.length, 1);

    await webRtc.off('ElementConnected', onFirst);
    assert.equal(recorder.requests('unsubscribe').length, 0, 'a listener remains');
    await webRtc.off('ElementConnected', onSecond);
    assert.equal(recorder.requests('unsubscribe').length, 1);

    await webRtc.connect(passThrough, 'AUDIO');
    await delay(50); // an event, had it been sent, would have arrived by now
    assert.equal(first.length, 1);
    assert.equal(second.length, 1);
    await pipeline.release();
    client.close();
  });

  test('two handles on one object share one server subscription', async () => {
    const { client, recorder } = await recordedClient(server);
    const pipeline = await client.create('MediaPipeline');
    const webRtc = await pipeline.create('WebRtcEndpoint');
    const sameWebRtc = await client.getMediaObjectById<'WebRtcEndpoint'>(webRtc.id);
    const passThrough = await pipeline.create('PassThrough');
    let calls = 0;
    await webRtc.on('ElementConnected', () => calls++);
    await sameWebRtc.on('ElementConnected', () => calls++);

    await webRtc.connect(passThrough, 'VIDEO');
    await until(() => calls === 2, 'both listeners');
    assert.equal(recorder.requests('subscribe').length, 1);
    await pipeline.release();
    client.close();
  });

  test('a once listener runs once, then its subscription ends', async () => {
    const { client, recorder } = await recordedClient(server);
    const pipeline = await client.create('MediaPipeline');
    const webRtc = await pipeline.create('WebRtcEndpoint');
    const passThrough = await pipeline.create('PassThrough');
    let calls = 0;
    await webRtc.once('ElementConnected', () => calls++);

    await webRtc.connect(passThrough); // raises one event per media type
    await until(() => recorder.requests('unsubscribe').length === 1, 'the unsubscribe');
    assert.equal(calls, 1);
    await pipeline.release();
    client.close();
  });

  test('events of the server manager reach a listener on client.serverManager', async () => {
    const { client } = await recordedClient(server);
    const created: string[] = [];
    await client.serverManager.on('ObjectCreated', (event) => created.push(event.object));
    const pipeline = await client.create('MediaPipeline');
    await until(() => created.includes(pipeline.id), 'ObjectCreated of the pipeline');
    await pipeline.release();
    client.close();
  });

  test('a listener that throws is reported on the client and the others still run', async () => {
    const { client } = await recordedClient(server);
    const pipeline = await client.create('MediaPipeline');
    const webRtc = await pipeline.create('WebRtcEndpoint');
    const passThrough = await pipeline.create('PassThrough');
    const reported = nextValue<unknown>((resolve) => client.once('error', resolve));
    const reached = nextValue<void>((resolve) => {
      void webRtc.on('ElementConnected', () => resolve());
    });
    await webRtc.on('ElementConnected', () => {
      throw new Error('listener bug');
    });

    await webRtc.connect(passThrough, 'VIDEO');
    await reached;
    assert.equal(((await reported) as Error).message, 'listener bug');
    await pipeline.release();
    client.close();
  });

  test('releasing a pipeline drops the listeners of its elements', async () => {
    const { client, recorder } = await recordedClient(server);
    const pipeline = await client.create('MediaPipeline');
    const webRtc = await pipeline.create('WebRtcEndpoint');
    const onEvent = () => {};
    await webRtc.on('IceCandidateFound', onEvent);
    await pipeline.release();

    await webRtc.off('IceCandidateFound', onEvent);
    assert.equal(recorder.requests('unsubscribe').length, 0, 'nothing left to unsubscribe');
    client.close();
  });
});

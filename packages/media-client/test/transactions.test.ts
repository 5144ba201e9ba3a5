import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MediaServer } from '../../media-server/src/index.js';
import { MediaClientError, type MediaPipeline, MediaServerError } from '../src/index.js';
import { recordedClient, startMediaServer } from './helpers.js';

describe('transactions', () => {
  let server: MediaServer;

  before(async () => {
    server = await startMediaServer();
  });
  after(async () => {
    await server.close();
  });

  test('creates and connects objects in one request, referring to new ones by newref', async () => {
    const { client, recorder } = await recordedClient(server);
    const before = recorder.sent.length;

    const { pipeline, webRtc, passThrough } = await client.transaction((tx) => {
      const pipeline = tx.create('MediaPipeline');
      const webRtc = tx.create('WebRtcEndpoint', { mediaPipeline: pipeline });
      const passThrough = tx.create('PassThrough', { mediaPipeline: pipeline });
      void webRtc.connect(passThrough, 'VIDEO');
      void webRtc.addTag('made-in', 'transaction');
      return { pipeline, webRtc, passThrough };
    });

    const sent = recorder.sent.slice(before);
    assert.deepEqual(
      sent.map((request) => request.method),
      ['transaction'],
    );
    const operations = sent[0]?.params.operations ?? [];
    assert.deepEqual(
      operations.map((operation) => operation.method),
      ['create', 'create', 'create', 'invoke', 'invoke'],
    );
    assert.deepEqual(operations[1]?.params, {
      type: 'WebRtcEndpoint',
      constructorParams: { mediaPipeline: 'newref:0' },
      properties: {},
    });
    assert.deepEqual(operations[3]?.params, {
      object: 'newref:1',
      operation: 'connect',
      operationParams: { sink: 'newref:2', mediaType: 'VIDEO' },
    });

    assert.ok(webRtc.id.startsWith(`${pipeline.id}/`));
    assert.equal(await webRtc.getTag('made-in'), 'transaction');
    const [connection] = await passThrough.getSourceConnections('VIDEO');
    assert.equal(connection?.source.id, webRtc.id);
    await pipeline.release();
    client.close();
  });

  test('the calls recorded in a transaction resolve with their results once it commits', async () => {
    const { client } = await recordedClient(server);
    const pipeline = await client.create('MediaPipeline');
    let tag: Promise<string> | undefined;
    await client.transaction((tx) => {
      const existing = tx.use(pipeline);
      void existing.addTag('a', '1');
      tag = existing.getTag('a');
    });
    assert.equal(await tag, '1');
    await pipeline.release();
    client.close();
  });

  test('a failed operation rejects the transaction; later operations are reported as not run', async () => {
    const { client } = await recordedClient(server);
    let pipeline: MediaPipeline | undefined;
    let laterCall: Promise<void> | undefined;
    const failure = await client
      .transaction((tx) => {
        pipeline = tx.create('MediaPipeline');
        const missing = tx.create('NoSuchElement' as 'PassThrough', { mediaPipeline: pipeline });
        laterCall = missing.addTag('never', 'run');
      })
      .then(
        () => assert.fail('expected a rejection'),
        (error: unknown) => error,
      );

    assert.ok(failure instanceof MediaServerError);
    assert.equal(failure.code, 'MEDIA_OBJECT_TYPE_NOT_FOUND');
    await assert.rejects(laterCall ?? Promise.resolve(), { code: 'TRANSACTION_ABORTED' });
    assert.ok(pipeline?.id, 'operations before the failure took effect');
    await pipeline?.release();
    client.close();
  });

  test('an object of an uncommitted transaction has no id yet', async () => {
    const { client } = await recordedClient(server);
    await client.transaction((tx) => {
      const pipeline = tx.create('MediaPipeline');
      assert.throws(() => pipeline.id, { code: 'TRANSACTION_STATE' });
      void pipeline.release();
    });
    client.close();
  });

  test('an async callback is refused and nothing is sent', async () => {
    const { client, recorder } = await recordedClient(server);
    const before = recorder.sent.length;
    await assert.rejects(
      client.transaction(async (tx) => {
        tx.create('MediaPipeline');
      }),
      (error: unknown) => error instanceof MediaClientError && error.code === 'TRANSACTION_STATE',
    );
    assert.equal(recorder.sent.length, before);
    client.close();
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MediaServer } from '../../media-server/src/index.js';
import {
  connect,
  isMediaServerError,
  type MediaClient,
  MediaClientError,
  MediaServerError,
  type PassThrough,
  type WebRtcEndpoint,
} from '../src/index.js';
import { connectClient, startMediaServer } from './helpers.js';

describe('typed errors', () => {
  let server: MediaServer;
  let client: MediaClient;

  before(async () => {
    server = await startMediaServer();
    client = await connectClient(server);
  });
  after(async () => {
    client.close();
    await server.close();
  });

  test('an unknown object id fails with MEDIA_OBJECT_NOT_FOUND, kurentoCode 40101 and a remedy', async () => {
    const error = await client.getMediaObjectById('no-such-object_kurento.MediaPipeline').then(
      () => assert.fail('expected a rejection'),
      (rejection: unknown) => rejection,
    );
    assert.ok(error instanceof MediaServerError);
    assert.equal(error.code, 'MEDIA_OBJECT_NOT_FOUND');
    assert.equal(error.kurentoCode, 40101);
    assert.match(error.message, /create it again/);
    assert.ok(isMediaServerError(error, 'MEDIA_OBJECT_NOT_FOUND'));
  });

  test('calling a method of a released object names the call in the error', async () => {
    const pipeline = await client.create('MediaPipeline');
    const webRtc = await pipeline.create('WebRtcEndpoint');
    await webRtc.release();
    await assert.rejects(webRtc.gatherCandidates(), (error: unknown) => {
      assert.ok(error instanceof MediaServerError);
      assert.equal(error.code, 'MEDIA_OBJECT_NOT_FOUND');
      assert.equal(error.request, 'WebRtcEndpoint.gatherCandidates');
      return true;
    });
    await pipeline.release();
  });

  test('an unknown type fails with MEDIA_OBJECT_TYPE_NOT_FOUND', async () => {
    const pipeline = await client.create('MediaPipeline');
    await assert.rejects(
      client.create('NoSuchEndpoint' as 'PassThrough', { mediaPipeline: pipeline }),
      { name: 'MediaServerError', code: 'MEDIA_OBJECT_TYPE_NOT_FOUND', kurentoCode: 40100 },
    );
    await pipeline.release();
  });

  test('an event the object does not raise fails with MEDIA_OBJECT_EVENT_NOT_SUPPORTED', async () => {
    const pipeline = await client.create('MediaPipeline');
    const passThrough = await pipeline.create('PassThrough');
    const asWebRtc = passThrough as PassThrough as unknown as WebRtcEndpoint;
    await assert.rejects(
      asWebRtc.on('IceCandidateFound', () => {}),
      {
        code: 'MEDIA_OBJECT_EVENT_NOT_SUPPORTED',
        kurentoCode: 40106,
      },
    );

    // Unawaited, as EventEmitter habits have it: no unhandled rejection (node:test fails on one).
    void asWebRtc.on('IceGatheringDone', () => {});
    await passThrough.getName();
    await new Promise((resolve) => setImmediate(resolve));
    await pipeline.release();
  });

  test('an offer that is not SDP fails with an SDP error code (402xx)', async () => {
    const pipeline = await client.create('MediaPipeline');
    const webRtc = await pipeline.create('WebRtcEndpoint');
    await assert.rejects(webRtc.processOffer('this is not SDP'), (error: unknown) => {
      assert.ok(error instanceof MediaServerError);
      assert.ok(error.kurentoCode >= 40200 && error.kurentoCode < 40300, error.message);
      return true;
    });
    await pipeline.release();
  });

  test('a client that cannot reach the server fails with CONNECTION_FAILED naming the URL', async () => {
    const closedServer = await startMediaServer();
    const url = closedServer.url;
    await closedServer.close();
    await assert.rejects(connect(url), (error: unknown) => {
      assert.ok(error instanceof MediaClientError);
      assert.equal(error.code, 'CONNECTION_FAILED');
      assert.ok(error.message.includes(url));
      return true;
    });
  });

  test('a closed client rejects new requests with CLIENT_CLOSED', async () => {
    const closing = await connectClient(server);
    closing.close();
    await assert.rejects(closing.create('MediaPipeline'), { code: 'CLIENT_CLOSED' });
  });
});

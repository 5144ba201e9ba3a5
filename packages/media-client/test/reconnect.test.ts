import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type ClientConnectionState,
  DefaultReconnectPolicy,
  type MediaClientError,
} from '../src/index.js';
import {
  connectClient,
  nextValue,
  recordingWebSocket,
  startMediaServer,
  until,
} from './helpers.js';

const quickRetries = new DefaultReconnectPolicy([0, 20, 20, 20], 3000, 50);

describe('reconnection against a real Medley server', () => {
  test('after the socket drops, the session resumes and its objects and listeners still work', async () => {
    const server = await startMediaServer();
    const recorder = recordingWebSocket();
    const client = await connectClient(server, {
      WebSocket: recorder.WebSocket,
      reconnectPolicy: quickRetries,
    });
    const sessionId = client.sessionId;
    const pipeline = await client.create('MediaPipeline');
    const webRtc = await pipeline.create('WebRtcEndpoint');
    const passThrough = await pipeline.create('PassThrough');
    const connected: string[] = [];
    await webRtc.on('ElementConnected', (event) => connected.push(event.mediaType));
    const reconnected = nextValue<{ sessionResumed: boolean }>((resolve) =>
      client.once('reconnected', resolve),
    );

    recorder.dropSocket();
    const nameDuringOutage = webRtc.getName(); // waits for the reconnection

    assert.equal(await nameDuringOutage, webRtc.id);
    assert.deepEqual(await reconnected, { sessionResumed: true });
    assert.equal(client.sessionId, sessionId);
    assert.deepEqual(recorder.requests('connect').at(-1)?.params, { sessionId });
    const [renewal] = recorder.requests('transaction');
    assert.deepEqual(
      renewal?.params.operations?.map(({ method }) => method),
      ['unsubscribe', 'subscribe'],
      'the listener subscription is renewed on the resumed session',
    );

    await webRtc.connect(passThrough, 'VIDEO');
    await until(() => connected.length > 0, 'ElementConnected after the reconnection');
    await pipeline.getName(); // a later answer: any duplicate event would be here by now
    assert.deepEqual(connected, ['VIDEO']);
    await pipeline.release();
    client.close();
    await server.close();
  });

  test('when the server lost the session, waiting requests fail with SESSION_LOST and a new session starts', async () => {
    const first = await startMediaServer();
    const client = await connectClient(first, { reconnectPolicy: quickRetries });
    const oldSessionId = client.sessionId;
    const pipeline = await client.create('MediaPipeline');
    const disconnected = nextValue<undefined>((resolve) => client.once('disconnected', resolve));
    const reconnected = nextValue<{ sessionResumed: boolean }>((resolve) =>
      client.once('reconnected', resolve),
    );

    await first.close();
    await disconnected;
    const waiting = pipeline.getName();
    const restarted = await startMediaServer(first.port);

    await assert.rejects(waiting, { name: 'MediaClientError', code: 'SESSION_LOST' });
    assert.deepEqual(await reconnected, { sessionResumed: false });
    assert.notEqual(client.sessionId, oldSessionId);
    await assert.rejects(pipeline.getName(), { code: 'MEDIA_OBJECT_NOT_FOUND' });
    const fresh = await client.create('MediaPipeline');
    assert.match(fresh.id, /_kurento\.MediaPipeline$/);
    client.close();
    await restarted.close();
  });

  test('when reconnecting fails for good, waiting requests fail with CONNECTION_CLOSED', async () => {
    const server = await startMediaServer();
    const client = await connectClient(server, {
      reconnectPolicy: new DefaultReconnectPolicy([0, 10, 10], 100, 10),
    });
    const pipeline = await client.create('MediaPipeline');
    const closed = nextValue<{ error: MediaClientError | undefined }>((resolve) =>
      client.once('closed', resolve),
    );

    await server.close();
    const waiting = pipeline.getName();

    await assert.rejects(waiting, { code: 'CONNECTION_CLOSED' });
    assert.equal((await closed).error?.code, 'CONNECTION_CLOSED');
    const clientConnection: ClientConnectionState = client.state;
    assert.equal(clientConnection, 'closed');
  });
});

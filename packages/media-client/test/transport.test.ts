import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connect, DefaultReconnectPolicy, MediaClientError } from '../src/index.js';
import { nextValue, until } from './helpers.js';
import { answerHandshake, startScriptedServer } from './scriptedServer.js';

const quickRetries = new DefaultReconnectPolicy([0, 20, 20, 20], 2000, 50);

describe('transport edge cases (scripted server)', () => {
  test('a request without an answer fails with REQUEST_TIMEOUT naming the call', async () => {
    const server = await startScriptedServer((exchange) => {
      answerHandshake(exchange); // and nothing else
    });
    const client = await connect(server.url, { requestTimeout: 100, pingInterval: 0 });

    await assert.rejects(client.create('MediaPipeline'), (error: unknown) => {
      assert.ok(error instanceof MediaClientError);
      assert.equal(error.code, 'REQUEST_TIMEOUT');
      assert.match(error.message, /^create MediaPipeline: no answer .* within 100 ms/);
      return true;
    });
    client.close();
    await server.close();
  });

  test('a request cut off by a socket drop is resent with the same id on the resumed session', async () => {
    const server = await startScriptedServer((exchange) => {
      if (answerHandshake(exchange)) return;
      if (exchange.socketIndex === 0)
        exchange.socket.terminate(); // the answer is lost
      else exchange.answer({ value: 'p_kurento.MediaPipeline', sessionId: 'scripted-session' });
    });
    const client = await connect(server.url, { pingInterval: 0, reconnectPolicy: quickRetries });
    const reconnected = nextValue<{ sessionResumed: boolean }>((resolve) =>
      client.once('reconnected', resolve),
    );

    const pipeline = await client.create('MediaPipeline');

    assert.equal(pipeline.id, 'p_kurento.MediaPipeline');
    const creates = server.received.filter(({ request }) => request.method === 'create');
    assert.deepEqual(
      creates.map(({ socketIndex }) => socketIndex),
      [0, 1],
    );
    assert.equal(creates[0]?.request.id, creates[1]?.request.id);
    const resume = server.received.find(
      ({ request, socketIndex }) => socketIndex === 1 && request.method === 'connect',
    );
    assert.deepEqual(resume?.request.params, { sessionId: 'scripted-session' });
    assert.deepEqual(await reconnected, { sessionResumed: true });
    client.close();
    await server.close();
  });

  test('an unanswered keep-alive ping drops the socket and the client reconnects', async () => {
    let pingsOnFirstSocket = 0;
    const server = await startScriptedServer((exchange) => {
      const { request, socketIndex } = exchange;
      // The first socket goes silent after the handshake, as a half-open connection does.
      if (request.method === 'ping' && socketIndex === 0 && pingsOnFirstSocket++ > 0) return;
      answerHandshake(exchange);
    });
    const client = await connect(server.url, { pingInterval: 50, reconnectPolicy: quickRetries });

    await until(() => server.socketCount() === 2, 'a second socket');
    await until(
      () =>
        server.received.some(
          ({ request, socketIndex }) => socketIndex === 1 && request.method === 'connect',
        ),
      'the session resume',
    );
    await until(() => client.state === 'open', 'the client to be open again');
    client.close();
    await server.close();
  });
});

describe('subscriptions across a reconnection (scripted server)', () => {
  test('a subscription the renewal transaction did not restore is subscribed again on its own', async () => {
    const objectId = 'p_kurento.MediaPipeline/w_kurento.WebRtcEndpoint';
    const server = await startScriptedServer((exchange) => {
      const { request, socketIndex, answer } = exchange;
      if (answerHandshake(exchange)) return;
      if (request.method === 'subscribe') {
        answer({ value: `subscription-${socketIndex}`, sessionId: 'scripted-session' });
      } else if (request.method === 'transaction') {
        // Like KMS: the first operation (unsubscribe of the old id) fails, the rest is not run.
        const failed = { code: 40101, message: 'Subscription not found' };
        answer({
          value: [{ jsonrpc: '2.0', id: 0, error: failed }],
          sessionId: 'scripted-session',
        });
      } else if (request.method === 'describe') {
        answer({ type: 'WebRtcEndpoint', hierarchy: [], sessionId: 'scripted-session' });
      }
    });
    const client = await connect(server.url, { pingInterval: 0, reconnectPolicy: quickRetries });
    const webRtc = await client.getMediaObjectById<'WebRtcEndpoint'>(objectId);
    const gathered: string[] = [];
    await webRtc.on('IceGatheringDone', (event) => gathered.push(event.source));

    for (const socket of server.sockets()) socket.terminate();
    await until(
      () =>
        server.received.some(
          ({ request, socketIndex }) => socketIndex === 1 && request.method === 'subscribe',
        ),
      'a new subscribe on the second socket',
    );
    const notification = {
      jsonrpc: '2.0',
      method: 'onEvent',
      params: {
        value: {
          type: 'IceGatheringDone',
          object: objectId,
          data: { source: objectId, tags: [], timestampMillis: '0', type: 'IceGatheringDone' },
        },
      },
    };
    for (const socket of server.sockets()) socket.send(JSON.stringify(notification));
    await until(() => gathered.length === 1, 'the event on the renewed subscription');
    client.close();
    await server.close();
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { io } from 'socket.io-client';
import { isSignalingError, type SignalingClient, WireEvent } from '../src/index.js';
import {
  connectedClient,
  startTestServer,
  type TestProtocol,
  type TestServer,
  testClient,
} from './support/server.js';

describe('requests', () => {
  let server: TestServer;
  let client: SignalingClient<TestProtocol>;

  before(async () => {
    server = await startTestServer();
    client = await connectedClient(server.url);
  });

  after(async () => {
    client.close();
    await server.close();
  });

  test('resolves with the answer the handler returned, carried by the acknowledgement', async () => {
    assert.deepEqual(await client.request('echo', { text: 'hello' }), { text: 'hello' });
  });

  test('rejects with TIMEOUT when no answer comes within the timeout', async () => {
    const pending = client.request('hold', { label: 'never-in-time' }, { timeout: 50 });
    await assert.rejects(pending, (error) => isSignalingError(error, 'TIMEOUT'));
    // The late answer is ignored, and the client keeps working.
    server.held.get('never-in-time')?.();
    assert.deepEqual(await client.request('echo', { text: 'after' }), { text: 'after' });
  });

  test('rejects with REJECTED and the message the handler threw', async () => {
    await assert.rejects(client.request('fail', { message: 'room is full' }), (error) => {
      assert.ok(isSignalingError(error, 'REJECTED'));
      assert.equal(error.message, 'room is full');
      return true;
    });
  });

  test('answers an unknown request type with UNKNOWN_REQUEST and keeps serving', async () => {
    const untyped = client as unknown as SignalingClient;
    await assert.rejects(untyped.request('no-such-type', {}), (error) => {
      assert.ok(isSignalingError(error, 'UNKNOWN_REQUEST'));
      assert.match(error.message, /no-such-type/);
      return true;
    });
    assert.deepEqual(await client.request('echo', { text: 'still here' }), { text: 'still here' });
  });

  test('answers a payload that fails the schema with INVALID_PAYLOAD naming the field', async () => {
    const untyped = client as unknown as SignalingClient;
    await assert.rejects(untyped.request('echo', { text: 42 }), (error) => {
      assert.ok(isSignalingError(error, 'INVALID_PAYLOAD'));
      assert.match(error.message, /text: expected a string, got number/);
      return true;
    });
    await assert.rejects(untyped.request('echo', null), (error) =>
      isSignalingError(error, 'INVALID_PAYLOAD'),
    );
    assert.deepEqual(await client.request('echo', { text: 'ok' }), { text: 'ok' });
  });

  test('hands the handler only the properties its schema names', async () => {
    const untyped = client as unknown as SignalingClient;
    const answer = await untyped.request('echo', { text: 'x', extra: 'dropped' });
    assert.deepEqual(answer, { text: 'x' });
  });

  test('survives malformed traffic from a raw socket.io client', async () => {
    const raw = io(server.url, { transports: ['websocket'], forceNew: true });
    try {
      await new Promise<void>((resolve) => raw.once(WireEvent.session, () => resolve()));
      const answers: unknown[] = [];
      const collect = (answer: unknown) => answers.push(answer);
      raw.emit(WireEvent.request, 42, {}, collect);
      raw.emit(WireEvent.request, '__proto__', {}, collect);
      raw.emit(WireEvent.request, 'echo'); // no payload, no acknowledgement
      raw.emit(WireEvent.request, 'toString', {}, collect);
      raw.emit('something-else', { a: 1 });
      raw.emit(WireEvent.request, 'echo', { text: 'fine' }, collect);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(answers.at(-1), { ok: true, result: { text: 'fine' } });
      for (const answer of answers.slice(0, 3)) {
        assert.equal((answer as { ok: boolean }).ok, false);
        assert.equal((answer as { error: { code: string } }).error.code, 'UNKNOWN_REQUEST');
      }
    } finally {
      raw.close();
    }
    assert.deepEqual(await client.request('echo', { text: 'served' }), { text: 'served' });
  });

  test('rejects a payload that cannot be serialised with INVALID_PAYLOAD, without sending it', async () => {
    const circular: { text: string; self?: unknown } = { text: 'loop' };
    circular.self = circular;
    await assert.rejects(client.request('echo', circular), (error) =>
      isSignalingError(error, 'INVALID_PAYLOAD'),
    );
  });

  test('rejects requests made after close() with DISCONNECTED', async () => {
    const leaving = await connectedClient(server.url);
    leaving.close();
    assert.equal(leaving.state, 'disconnected');
    await assert.rejects(leaving.request('echo', { text: 'late' }), (error) =>
      isSignalingError(error, 'DISCONNECTED'),
    );
  });
});

describe('connecting', () => {
  test('refuses the connection with REJECTED and the message onConnect threw', async () => {
    const server = await startTestServer({
      onConnect: (_session, { handshake }) => {
        if (handshake.auth.token !== 'secret') throw new Error('a valid token is required');
      },
    });
    try {
      const intruder = testClient(server.url, { auth: { token: 'guess' } });
      await assert.rejects(intruder.connect(), (error) => {
        assert.ok(isSignalingError(error, 'REJECTED'));
        assert.equal(error.message, 'a valid token is required');
        return true;
      });
      assert.equal(intruder.state, 'disconnected');
      assert.equal(server.signaling.sessions.size, 0);

      const member = testClient(server.url, { auth: async () => ({ token: 'secret' }) });
      await member.connect();
      assert.equal(member.state, 'connected');
      member.close();
    } finally {
      await server.close();
    }
  });

  test('rejects connect() with CONNECT_FAILED when nothing listens at the URL', async () => {
    const server = await startTestServer();
    const { url } = server;
    await server.close();
    const client = testClient(url, { connectTimeout: 1_000 });
    await assert.rejects(client.connect(), (error) => isSignalingError(error, 'CONNECT_FAILED'));
    assert.equal(client.state, 'disconnected');
  });

  test('refuses to register a handler for a request type without a schema', async () => {
    const server = await startTestServer();
    try {
      const untyped = server.signaling as unknown as { handle(type: string, h: () => void): void };
      assert.throws(
        () => untyped.handle('unlisted', () => {}),
        (error) => isSignalingError(error, 'INVALID_OPTIONS'),
      );
    } finally {
      await server.close();
    }
  });
});

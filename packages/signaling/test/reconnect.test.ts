import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  type ConnectionEvents,
  ExponentialBackoff,
  isSignalingError,
  type SignalingClient,
} from '../src/index.js';
import {
  connectedClient,
  nextEvent,
  startTestServer,
  type TestProtocol,
  type TestServer,
  until,
} from './support/server.js';

/** Drops the client's transport the way a network failure does: no goodbye, no DISCONNECT. */
function dropTransport(client: SignalingClient<TestProtocol>): void {
  client.socket.io.engine.close();
}

describe('reconnection', () => {
  let server: TestServer;
  let client: SignalingClient<TestProtocol>;

  beforeEach(async () => {
    server = await startTestServer({ sessionGracePeriod: 2_000 });
    client = await connectedClient(server.url);
  });

  afterEach(async () => {
    client.close();
    await server.close();
  });

  test('resumes the same session after the transport drops: id, data and rooms kept', async () => {
    const sessionId = client.sessionId;
    await client.request('remember', { note: 'before the drop' });
    await client.request('join', { room: 'stage' });

    const reconnecting = nextEvent(client.connection, 'reconnecting');
    const connected = nextEvent(client.connection, 'connected');
    dropTransport(client);
    assert.equal(client.state, 'reconnecting');
    assert.equal((await reconnecting).attempt, 1);
    assert.deepEqual(await connected, { sessionId, resumed: true });
    assert.equal(client.sessionId, sessionId);
    assert.equal(client.state, 'connected');
    assert.deepEqual(await client.request('recall', {}), { notes: ['before the drop'] });
    assert.deepEqual(
      server.signaling.roomMembers('stage').map((session) => session.id),
      [sessionId],
    );
    assert.ok(client.socket.recovered, 'socket.io recovered the connection state as well');
  });

  test('resumes after the server drops the transport', async () => {
    const sessionId = client.sessionId;
    const session = server.signaling.sessions.get(sessionId ?? '');
    const connected = nextEvent(client.connection, 'connected');
    session?.socket?.conn.close();
    assert.deepEqual(await connected, { sessionId, resumed: true });
  });

  test('retries with growing delays while the server refuses, then resumes the session', async () => {
    client.close();
    const delays: number[] = [];
    client = await connectedClient(server.url, {
      reconnectPolicy: new ExponentialBackoff({
        initialDelayMs: 10,
        multiplier: 2,
        maxDelayMs: 1_000,
        jitter: 0.5,
        random: () => 0, // no jitter drawn: the delays are exactly the schedule
      }),
    });
    const sessionId = client.sessionId;
    client.connection.on('reconnecting', ({ delayMs }) => {
      delays.push(delayMs);
      // Let the fourth attempt through.
      if (delays.length === 4) server.acceptTransports = true;
    });
    const connected = nextEvent(client.connection, 'connected');
    server.acceptTransports = false;
    dropTransport(client);
    assert.deepEqual(await connected, { sessionId, resumed: true });
    assert.deepEqual(delays, [10, 20, 40, 80]);
  });

  test('fails a request in flight when the connection drops with DISCONNECTED, and does not resend it', async () => {
    const inFlight = client.request('hold', { label: 'in-flight' });
    await until(() => server.held.has('in-flight'), 'the server received the request');
    const connected = nextEvent(client.connection, 'connected');
    dropTransport(client);
    await assert.rejects(inFlight, (error) => isSignalingError(error, 'DISCONNECTED'));
    await connected;
    server.held.delete('in-flight');
    // One round trip later nothing was sent again.
    await client.request('echo', { text: 'sync' });
    assert.equal(server.held.has('in-flight'), false);
  });

  test('holds a request made while reconnecting and sends it once the session is back', async () => {
    server.acceptTransports = false;
    const reconnecting = nextEvent(client.connection, 'reconnecting');
    dropTransport(client);
    await reconnecting;
    const held = client.request('echo', { text: 'made while away' });
    assert.equal(client.state, 'reconnecting');
    server.acceptTransports = true;
    assert.deepEqual(await held, { text: 'made while away' });
    assert.equal(client.state, 'connected');
  });

  test('delivers events emitted while the client was away, in order, after it resumes', async () => {
    const session = server.signaling.sessions.get(client.sessionId ?? '');
    assert.ok(session);
    server.acceptTransports = false;
    dropTransport(client);
    await until(() => !session.connected, 'the server noticed the drop');
    session.emit('notice', { text: 'one' });
    session.emit('notice', { text: 'two' });
    const received: string[] = [];
    client.on('notice', ({ text }) => received.push(text));
    server.acceptTransports = true;
    await nextEvent(client.connection, 'connected');
    await client.request('echo', { text: 'sync' });
    assert.deepEqual(received, ['one', 'two']);
  });

  test('gives up when the policy says so, and fails the held requests', async () => {
    client.close();
    client = await connectedClient(server.url, {
      reconnectPolicy: new ExponentialBackoff({ initialDelayMs: 5, maxRetries: 2, jitter: 0 }),
    });
    const attempts: Array<ConnectionEvents['reconnecting']> = [];
    client.connection.on('reconnecting', (attempt) => attempts.push(attempt));
    const disconnected = nextEvent(client.connection, 'disconnected');
    server.acceptTransports = false;
    dropTransport(client);
    const held = client.request('echo', { text: 'never sent' });
    const { reason, error } = await disconnected;
    assert.equal(reason, 'gave-up');
    assert.ok(isSignalingError(error, 'DISCONNECTED'));
    assert.equal(attempts.length, 2);
    await assert.rejects(held, (rejection) => isSignalingError(rejection, 'DISCONNECTED'));
    assert.equal(client.state, 'disconnected');
  });

  test('stops, without reconnecting, when the server closes the session', async () => {
    const session = server.signaling.sessions.get(client.sessionId ?? '');
    const disconnected = nextEvent(client.connection, 'disconnected');
    let reconnects = 0;
    client.connection.on('reconnecting', () => reconnects++);
    session?.close();
    assert.equal((await disconnected).reason, 'server');
    assert.equal(reconnects, 0);
    assert.equal(server.signaling.sessions.size, 0);
  });
});

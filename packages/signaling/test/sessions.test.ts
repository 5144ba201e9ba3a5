import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Server } from 'socket.io';
import { isSignalingError, neverReconnect } from '../src/index.js';
import { type Session, type SessionEndReason, SignalingServer } from '../src/server/index.js';
import {
  connectedClient,
  nextEvent,
  startTestServer,
  type TestProtocol,
  type TestSessionData,
  testSchemas,
  until,
} from './support/server.js';

type Ended = { session: Session<TestProtocol, TestSessionData>; reason: SessionEndReason };

function recordEndings(): {
  ended: Ended[];
  onSessionEnd(session: Ended['session'], info: { reason: SessionEndReason }): void;
} {
  const ended: Ended[] = [];
  return { ended, onSessionEnd: (session, { reason }) => ended.push({ session, reason }) };
}

describe('sessions', () => {
  test('ends a session whose client stays away past the grace period, calling onSessionEnd', async () => {
    const { ended, onSessionEnd } = recordEndings();
    const disconnects: string[] = [];
    const server = await startTestServer({
      sessionGracePeriod: 100,
      onSessionEnd,
      onDisconnect: (session) => disconnects.push(session.id),
    });
    try {
      const client = await connectedClient(server.url, { reconnectPolicy: neverReconnect });
      const sessionId = client.sessionId;
      await client.request('join', { room: 'expiring' });
      const disconnected = nextEvent(client.connection, 'disconnected');
      client.socket.io.engine.close();
      assert.equal((await disconnected).reason, 'gave-up');
      await until(() => disconnects.length === 1, 'onDisconnect ran');
      assert.equal(ended.length, 0, 'the session waits for its client during the grace period');
      assert.equal(server.signaling.sessions.size, 1);

      await until(() => ended.length === 1, 'the grace period ended the session');
      assert.equal(ended[0]?.session.id, sessionId);
      assert.equal(ended[0]?.reason, 'expired');
      assert.equal(ended[0]?.session.ended, true);
      assert.equal(server.signaling.sessions.size, 0);
      assert.deepEqual(server.signaling.roomMembers('expiring'), []);

      // Coming back later opens a new session, and says so.
      const connected = nextEvent(client.connection, 'connected');
      await client.connect();
      const { sessionId: newId, resumed } = await connected;
      assert.equal(resumed, false);
      assert.notEqual(newId, sessionId);
      client.close();
    } finally {
      await server.close();
    }
  });

  test('resumes a session within the grace period even when connect() is called again by hand', async () => {
    const { ended, onSessionEnd } = recordEndings();
    const server = await startTestServer({ sessionGracePeriod: 5_000, onSessionEnd });
    try {
      const client = await connectedClient(server.url, { reconnectPolicy: neverReconnect });
      const sessionId = client.sessionId;
      const disconnected = nextEvent(client.connection, 'disconnected');
      client.socket.io.engine.close();
      await disconnected;
      const connected = nextEvent(client.connection, 'connected');
      await client.connect();
      assert.deepEqual(await connected, { sessionId, resumed: true });
      assert.equal(ended.length, 0);
      client.close();
    } finally {
      await server.close();
    }
  });

  test('ends the session at once when its client closes, without a grace period', async () => {
    const { ended, onSessionEnd } = recordEndings();
    const server = await startTestServer({ sessionGracePeriod: 60_000, onSessionEnd });
    try {
      const client = await connectedClient(server.url);
      const sessionId = client.sessionId;
      client.close();
      await until(() => ended.length === 1, 'the session ended');
      assert.equal(ended[0]?.session.id, sessionId);
      assert.equal(ended[0]?.reason, 'left');
    } finally {
      await server.close();
    }
  });

  test('ends every session with reason shutdown when the server closes', async () => {
    const { ended, onSessionEnd } = recordEndings();
    const server = await startTestServer({ onSessionEnd });
    const client = await connectedClient(server.url);
    const disconnected = nextEvent(client.connection, 'disconnected');
    await server.close();
    assert.deepEqual(
      ended.map(({ reason }) => reason),
      ['shutdown'],
    );
    assert.equal((await disconnected).reason, 'server');
  });

  test('keeps serving when a hook throws, and reports the error', async () => {
    const errors: string[] = [];
    const server = await startTestServer({
      onDisconnect: () => {
        throw new Error('hook bug');
      },
      onSessionEnd: async () => {
        throw new Error('async hook bug');
      },
      onError: (_error, context) => errors.push(context),
    });
    try {
      const client = await connectedClient(server.url);
      const connected = nextEvent(client.connection, 'connected');
      client.socket.io.engine.close();
      await connected;
      client.close();
      await until(() => errors.length === 2, 'both hook errors were reported');
      assert.deepEqual(errors.sort(), ['onDisconnect', 'onSessionEnd']);
      const other = await connectedClient(server.url);
      assert.deepEqual(await other.request('echo', { text: 'alive' }), { text: 'alive' });
      other.close();
    } finally {
      await server.close();
    }
  });

  test('refuses a socket.io Server that would skip its middleware on recovered connections', () => {
    // Not attached to any HTTP server: nothing to close afterwards.
    const io = new Server({ connectionStateRecovery: {} });
    assert.throws(
      () => new SignalingServer<TestProtocol>({ io, schemas: testSchemas }),
      (error) => isSignalingError(error, 'INVALID_OPTIONS'),
    );
  });
});

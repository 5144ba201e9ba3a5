import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';
import { WireEvent } from '../src/index.js';
import { promptTransportUpgrades } from '../src/server/index.js';
import { startHttpServer, startTestServer, type TestServer, testClient } from './support/server.js';

/**
 * A client that starts on long-polling (socket.io's default) and upgrades to WebSocket: the
 * SignalingServer ends the upgrade as soon as the client is ready (see promptTransportUpgrades);
 * how much sooner is measured in bench/first-frame.ts, not here.
 */
describe('the polling → WebSocket upgrade', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  test('a request sent right after connecting over polling is answered', async () => {
    const client = testClient(server.url, {
      socketOptions: { transports: ['polling', 'websocket'] },
    });
    try {
      await client.connect();
      assert.deepEqual(await client.request('echo', { text: 'first' }), { text: 'first' });
    } finally {
      client.close();
    }
  });

  test('a client that starts on polling ends on WebSocket', async () => {
    const raw = io(server.url, { transports: ['polling', 'websocket'], forceNew: true });
    try {
      await new Promise<void>((resolve) => raw.once(WireEvent.session, () => resolve()));
      const engine = raw.io.engine;
      if (engine.transport.name !== 'websocket') {
        await new Promise<void>((resolve) => engine.once('upgrade', () => resolve()));
      }
      assert.equal(engine.transport.name, 'websocket');
    } finally {
      raw.close();
    }
  });

  test('prompting a socket.io server twice listens once', async () => {
    const { httpServer } = await startHttpServer();
    const io = new Server(httpServer);
    try {
      promptTransportUpgrades(io);
      const listening = io.engine.listenerCount('connection');
      promptTransportUpgrades(io);
      assert.equal(io.engine.listenerCount('connection'), listening);
    } finally {
      await io.close();
    }
  });
});

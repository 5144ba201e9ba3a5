import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { io as connectSocket } from 'socket.io-client';
import type { SignalingClient } from '../src/index.js';
import {
  clusterOverRedis,
  type RedisAdapterHandle,
  type RedisConnectionLog,
  type Session,
  type SessionEndReason,
  SignalingServer,
  WireEvent,
} from '../src/server/index.js';
import { type RedisServer, startRedisServer } from './support/redisServer.js';
import { SwitchingProxy } from './support/SwitchingProxy.js';
import {
  connectedClient,
  nextEvent,
  nextPush,
  startHttpServer,
  startTestServer,
  type TestProtocol,
  type TestServer,
  type TestServerOptions,
  type TestSessionData,
  testSchemas,
  until,
} from './support/server.js';

type TestSession = Session<TestProtocol, TestSessionData>;

/** `promise`, or a failure naming `what` if it has not settled after 10 s (instead of a hang). */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within 10 s`)), 10_000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The lines a server logs about its Redis connection. */
class RecordedLog implements RedisConnectionLog {
  readonly lines: string[] = [];
  info(message: string): void {
    this.lines.push(`info: ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn: ${message}`);
  }
  has(pattern: RegExp): boolean {
    return this.lines.some((line) => pattern.test(line));
  }
}

describe('several app servers sharing Redis', () => {
  let redis: RedisServer;
  const servers: TestServer[] = [];
  const clients: SignalingClient<TestProtocol>[] = [];

  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    await redis.close();
  });

  /** Two app servers of one cluster (same key prefix). */
  async function twoAppServers(
    options: { a?: TestServerOptions; b?: TestServerOptions } = {},
  ): Promise<{ a: TestServer; b: TestServer; logA: RecordedLog; logB: RecordedLog }> {
    const keyPrefix = `test:${servers.length}:${process.pid}`;
    const logA = new RecordedLog();
    const logB = new RecordedLog();
    const start = async (hooks: TestServerOptions | undefined, log: RecordedLog) => {
      const server = await startTestServer({
        sessionGracePeriod: 10_000,
        ...hooks,
        redis: { url: redis.url, keyPrefix, log },
      });
      servers.push(server);
      await server.signaling.ready();
      return server;
    };
    return { a: await start(options.a, logA), b: await start(options.b, logB), logA, logB };
  }

  async function client(url: string, options = {}): Promise<SignalingClient<TestProtocol>> {
    const connected = await connectedClient(url, options);
    clients.push(connected);
    return connected;
  }

  const cleanUp = async () => {
    for (const connected of clients.splice(0)) connected.close();
    await Promise.all(servers.splice(0).map((server) => server.close()));
  };

  test('a broadcast on app server A reaches a session in the room on app server B', async () => {
    try {
      const { a, b } = await twoAppServers();
      const onA = await client(a.url);
      const onB = await client(b.url);
      await onA.request('join', { room: 'lobby' });
      await onB.request('join', { room: 'lobby' });
      const heard = nextPush(onB, 'said');
      await onA.request('say', { room: 'lobby', text: 'hello from A' });
      assert.deepEqual(await within(heard, 'broadcast'), { text: 'hello from A' });
      // The sender was excepted on both servers: a later message is the next it hears.
      const own = nextPush(onA, 'said');
      await onB.request('say', { room: 'lobby', text: 'hello from B' });
      assert.deepEqual(await within(own, 'broadcast'), { text: 'hello from B' });
    } finally {
      await cleanUp();
    }
  });

  test('emitTo reaches a session held by the other app server', async () => {
    try {
      const { a, b } = await twoAppServers();
      const onA = await client(a.url);
      const onB = await client(b.url);
      const notice = nextPush(onB, 'notice');
      await onA.request('tell', { to: onB.sessionId ?? '', text: 'direct' });
      assert.deepEqual(await within(notice, 'direct message'), { text: 'direct' });
      assert.equal(a.signaling.sessions.has(onB.sessionId ?? ''), false);
    } finally {
      await cleanUp();
    }
  });

  test('a value one app server stores, the other reads', async () => {
    try {
      const { a, b } = await twoAppServers();
      await a.signaling.store.set('broadcast', { pipelineId: 'p1', viewers: 2 });
      assert.deepEqual(await b.signaling.store.get('broadcast'), { pipelineId: 'p1', viewers: 2 });
      await b.signaling.store.delete('broadcast');
      assert.equal(await a.signaling.store.get('broadcast'), undefined);
    } finally {
      await cleanUp();
    }
  });

  test('a value claimed by both app servers at once goes to exactly one', async () => {
    try {
      const { a, b } = await twoAppServers();
      const claims = await Promise.all([
        a.signaling.store.setIfAbsent('presenter', { server: 'a' }),
        b.signaling.store.setIfAbsent('presenter', { server: 'b' }),
      ]);
      assert.deepEqual(claims.toSorted(), [false, true]);
      const winner = claims[0] ? 'a' : 'b';
      assert.deepEqual(await a.signaling.store.get('presenter'), { server: winner });
      await a.signaling.store.delete('presenter');
      assert.equal(await b.signaling.store.setIfAbsent('presenter', { server: 'b' }), true);
    } finally {
      await cleanUp();
    }
  });

  test("a request's change to session data is in Redis at once, not at the next refresh", async () => {
    const reader = new Redis(redis.url);
    try {
      // A refresh would come only after 20 s: what the test reads was written by the request.
      const { a } = await twoAppServers({ a: { sessionGracePeriod: 60_000 } });
      const connected = await client(a.url);
      const key = `test:${servers.length - 2}:${process.pid}:/:session:${connected.sessionId}`;
      await connected.request('remember', { note: 'written with the request' });
      let shared: unknown;
      const deadline = Date.now() + 2_000;
      while (Date.now() < deadline) {
        const state = await reader.hget(key, 'state');
        shared = state ? (JSON.parse(state) as { data?: unknown }).data : undefined;
        if (JSON.stringify(shared) === '{"notes":["written with the request"]}') break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.deepEqual(shared, { notes: ['written with the request'] });
    } finally {
      reader.disconnect();
      await cleanUp();
    }
  });

  test('a session opened on A resumes on B after its connection dies, with its JSON data and rooms', async () => {
    const endedOnA: Array<{ id: string; reason: SessionEndReason }> = [];
    const movedToB: Array<{ session: TestSession; from: string }> = [];
    const connectsOnB: Array<{ resumed: boolean; moved: boolean }> = [];
    const proxy = new SwitchingProxy();
    try {
      const { a, b } = await twoAppServers({
        a: {
          onSessionEnd: (session, { reason }) => {
            endedOnA.push({ id: session.id, reason });
          },
        },
        b: {
          onSessionMoved: (session, { from }) => {
            movedToB.push({ session, from });
          },
          onConnect: (_session, { resumed, moved }) => {
            connectsOnB.push({ resumed, moved });
          },
        },
      });
      proxy.switchTo(Number(new URL(a.url).port));
      const viaProxy = await client(await proxy.listen());
      const sessionId = viaProxy.sessionId;
      await viaProxy.request('remember', { note: 'kept across servers' });
      await viaProxy.request('join', { room: 'stage' });
      assert.equal(a.signaling.sessions.has(sessionId ?? ''), true);

      // Its connection to A dies, and A pushes an event while the client is away.
      proxy.switchTo(undefined);
      const reconnected = nextEvent(viaProxy.connection, 'connected');
      const noticed = nextPush(viaProxy, 'notice');
      proxy.dropConnections();
      await until(
        () => a.signaling.sessions.get(sessionId ?? '')?.connected === false,
        'A saw the drop',
      );
      a.signaling.emitTo(sessionId ?? '', 'notice', { text: 'while away' });
      // The load balancer now sends the client to B.
      proxy.switchTo(Number(new URL(b.url).port));
      assert.deepEqual(await within(reconnected, 'reconnection'), { sessionId, resumed: true });
      // The event waiting on A follows the session to B.
      assert.deepEqual(await within(noticed, 'event emitted while away'), { text: 'while away' });

      assert.equal(movedToB.length, 1);
      assert.equal(movedToB[0]?.session.id, sessionId);
      assert.deepEqual(connectsOnB, [{ resumed: true, moved: true }]);
      assert.deepEqual(await viaProxy.request('recall', {}), { notes: ['kept across servers'] });
      assert.equal(b.signaling.sessions.get(sessionId ?? '')?.rooms.has('stage'), true);
      await until(() => endedOnA.length === 1, 'A ended its copy of the session');
      assert.deepEqual(endedOnA, [{ id: sessionId, reason: 'moved' }]);
      assert.equal(a.signaling.sessions.size, 0);

      // Its room membership moved too: a broadcast from a session on A reaches it on B.
      const onA = await client(a.url);
      await onA.request('join', { room: 'stage' });
      const heard = nextPush(viaProxy, 'said');
      await onA.request('say', { room: 'stage', text: 'still in the room' });
      assert.deepEqual(await within(heard, 'broadcast'), { text: 'still in the room' });
    } finally {
      await cleanUp();
      await proxy.close();
    }
  });

  test('a second connection to a session takes it over on the other app server; the first is disconnected', async () => {
    const endedOnA: SessionEndReason[] = [];
    try {
      const { a, b } = await twoAppServers({
        a: {
          onSessionEnd: (_session, { reason }) => {
            endedOnA.push(reason);
          },
        },
      });
      const first = await client(a.url);
      const sessionId = first.sessionId ?? '';
      const firstDisconnected = nextEvent(first.connection, 'disconnected');

      const second = connectSocket(b.url, {
        transports: ['websocket'],
        auth: { medleySessionId: sessionId },
        reconnection: false,
      });
      try {
        const welcome = await within(
          new Promise((resolve) => second.once(WireEvent.session, resolve)),
          'welcome',
        );
        assert.deepEqual(welcome, { sessionId, resumed: true });
        const { reason } = await within(firstDisconnected, 'disconnection of the first connection');
        assert.equal(reason, 'server', 'the older connection is told the server ended it');
        await until(() => endedOnA.length === 1, 'A ended its copy');
        assert.deepEqual(endedOnA, ['moved']);
        assert.equal(b.signaling.sessions.get(sessionId)?.connected, true);
        assert.equal(a.signaling.sessions.size, 0);
      } finally {
        second.close();
      }
    } finally {
      await cleanUp();
    }
  });

  test('an ended session cannot be resumed on the other app server', async () => {
    try {
      const { a, b } = await twoAppServers();
      const first = await client(a.url);
      const sessionId = first.sessionId ?? '';
      first.close();
      await until(() => a.signaling.sessions.size === 0, 'A ended the session the client left');
      const late = await client(b.url);
      assert.notEqual(late.sessionId, sessionId);
      // Resuming with the old id explicitly opens a new session too.
      const socket = connectSocket(b.url, {
        transports: ['websocket'],
        auth: { medleySessionId: sessionId },
        reconnection: false,
      });
      try {
        const welcome = (await within(
          new Promise((resolve) => socket.once(WireEvent.session, resolve)),
          'welcome',
        )) as { sessionId: string; resumed: boolean };
        assert.equal(welcome.resumed, false);
        assert.notEqual(welcome.sessionId, sessionId);
      } finally {
        socket.close();
      }
    } finally {
      await cleanUp();
    }
  });

  test("clusterOverRedis makes an application's own socket.io Servers and their signaling servers one cluster", async () => {
    const keyPrefix = `test:own-io:${process.pid}`;
    const started: Array<{
      io: Server;
      cluster: RedisAdapterHandle;
      signaling: SignalingServer<TestProtocol>;
    }> = [];
    try {
      const urls: string[] = [];
      for (let index = 0; index < 2; index++) {
        const { httpServer, url } = await startHttpServer();
        const io = new Server(httpServer, {
          connectionStateRecovery: { skipMiddlewares: false, maxDisconnectionDuration: 10_000 },
        });
        const cluster = clusterOverRedis(io, { url: redis.url, keyPrefix, log: new RecordedLog() });
        const signaling = new SignalingServer<TestProtocol>({
          io,
          namespace: '/chat',
          schemas: testSchemas,
        });
        signaling.handle('join', ({ room }, session) => {
          session.join(room);
          return { members: 0 };
        });
        await signaling.ready();
        started.push({ io, cluster, signaling });
        urls.push(url);
      }
      const onB = await client(`${urls[1]}/chat`);
      await onB.request('join', { room: 'news' });
      const heard = nextPush(onB, 'said');
      started[0]?.signaling.broadcast('news', 'said', { text: 'through Redis' });
      assert.deepEqual(await within(heard, 'broadcast'), { text: 'through Redis' });
      // socket.io's own broadcasts cross too: the adapter is installed.
      const direct = nextPush(onB, 'notice');
      started[0]?.io.of('/chat').emit(WireEvent.event, 'notice', { text: 'adapter' });
      assert.deepEqual(await within(direct, 'socket.io broadcast'), { text: 'adapter' });
    } finally {
      for (const connected of clients.splice(0)) connected.close();
      for (const { io, cluster, signaling } of started) {
        await signaling.close();
        await io.close();
        await cluster.close();
      }
    }
  });

  test('a Redis restart: no crash, the outage and the recovery are logged, the cluster is back after it', async () => {
    try {
      const { a, b, logA } = await twoAppServers();
      const onA = await client(a.url);
      const alsoOnA = await client(a.url);
      const onB = await client(b.url);
      for (const member of [onA, alsoOnA, onB]) await member.request('join', { room: 'ops' });

      await redis.stop();
      await until(() => logA.has(/^warn: .*lost its connection to Redis/), 'A logged the outage');

      // Each app server goes on serving its own clients.
      const local = nextPush(alsoOnA, 'said');
      await onA.request('say', { room: 'ops', text: 'during the outage' });
      assert.deepEqual(await within(local, 'local broadcast'), { text: 'during the outage' });
      assert.deepEqual(await onB.request('echo', { text: 'B is up' }), { text: 'B is up' });
      await assert.rejects(a.signaling.store.get('anything'), { code: 'UNAVAILABLE' });
      // A new client can connect meanwhile.
      const newcomer = await client(a.url);
      assert.deepEqual(await newcomer.request('echo', { text: 'hi' }), { text: 'hi' });
      // A connection that drops now has its socket.io state persisted to the unreachable Redis.
      const dropped = nextEvent(newcomer.connection, 'reconnecting');
      newcomer.socket.io.engine.close();
      await within(dropped, 'reconnection attempt');
      assert.deepEqual(await onA.request('echo', { text: 'still up' }), { text: 'still up' });

      await redis.start();
      await until(
        () => logA.has(/^info: .*connected to Redis .* again/),
        'A logged that Redis is back',
        20_000,
      );
      // Broadcasts cross app servers again once A and B have resubscribed.
      let received = false;
      onB.on('said', ({ text }) => {
        if (text === 'after the outage') received = true;
      });
      const deadline = Date.now() + 20_000;
      while (!received) {
        assert.ok(Date.now() < deadline, 'a broadcast from A reached B after Redis came back');
        await onA.request('say', { room: 'ops', text: 'after the outage' });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      await cleanUp();
    }
  });
});

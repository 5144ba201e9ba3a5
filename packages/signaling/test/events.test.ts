import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SignalingClient } from '../src/index.js';
import {
  connectedClient,
  nextPush,
  startTestServer,
  type TestProtocol,
  type TestServer,
} from './support/server.js';

describe('server events', () => {
  let server: TestServer;
  let alice: SignalingClient<TestProtocol>;
  let bob: SignalingClient<TestProtocol>;

  before(async () => {
    server = await startTestServer();
    alice = await connectedClient(server.url);
    bob = await connectedClient(server.url);
  });

  after(async () => {
    alice.close();
    bob.close();
    await server.close();
  });

  test('delivers an event pushed with session.emit to the listeners of its name', async () => {
    const session = server.signaling.sessions.get(alice.sessionId ?? '');
    assert.ok(session, 'the server knows the client session by the id the client was given');
    const notice = nextPush(alice, 'notice');
    session.emit('notice', { text: 'welcome' });
    assert.deepEqual(await notice, { text: 'welcome' });
  });

  test('broadcasts to the other members of a room, not to the sender', async () => {
    assert.deepEqual(await alice.request('join', { room: 'lobby' }), { members: 1 });
    assert.deepEqual(await bob.request('join', { room: 'lobby' }), { members: 2 });
    const heardByAlice: string[] = [];
    const heardByBob: string[] = [];
    alice.on('said', ({ text }) => heardByAlice.push(text));
    bob.on('said', ({ text }) => heardByBob.push(text));
    const delivered = nextPush(alice, 'said');
    await bob.request('say', { room: 'lobby', text: 'hi all' });
    await delivered;
    // An echo request makes sure anything sent to bob before its answer has arrived.
    await bob.request('echo', { text: 'sync' });
    assert.deepEqual(heardByAlice, ['hi all']);
    assert.deepEqual(heardByBob, []);
  });

  test('stops calling a listener removed with off()', async () => {
    const session = server.signaling.sessions.get(bob.sessionId ?? '');
    assert.ok(session);
    const removed: string[] = [];
    const listener = ({ text }: { text: string }) => removed.push(text);
    bob.on('notice', listener);
    bob.off('notice', listener);
    const kept = nextPush(bob, 'notice');
    session.emit('notice', { text: 'only once' });
    assert.deepEqual(await kept, { text: 'only once' });
    assert.deepEqual(removed, []);
  });
});

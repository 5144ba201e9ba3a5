// Real WebRTC (werift) on both sides of real signaling; run inside scripts/isolated.sh.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { RTCDataChannel } from 'werift';
import {
  attachPeer,
  isSignalingError,
  type PeerSignaling,
  type PeerSignalingEvents,
  type PeerSignalingProtocol,
  SignalingClient,
} from '../src/index.js';
import { type PeerTestServer, startPeerTestServer } from './support/peerServer.js';
import { fastReconnect, nextEvent, until } from './support/server.js';
import { WeriftPeer } from './support/WeriftPeer.js';

function echoOnce(channel: RTCDataChannel, text: string): Promise<string> {
  return new Promise((resolve) => {
    const subscription = channel.onMessage.subscribe((message) => {
      subscription.unSubscribe();
      resolve(String(message));
    });
    const send = () => channel.send(text);
    if (channel.readyState === 'open') send();
    else channel.stateChanged.subscribe((state) => state === 'open' && send());
  });
}

describe('attachPeer', () => {
  let server: PeerTestServer;
  let client: SignalingClient<PeerSignalingProtocol>;
  let peer: WeriftPeer;
  let channel: RTCDataChannel;
  let link: PeerSignaling;

  beforeEach(async () => {
    server = await startPeerTestServer();
    client = new SignalingClient<PeerSignalingProtocol>(server.url, {
      reconnectPolicy: fastReconnect(),
      socketOptions: { transports: ['websocket'] },
    });
    await client.connect();
    peer = new WeriftPeer();
    channel = peer.connection.createDataChannel('chat');
    link = attachPeer(client, peer);
  });

  afterEach(async () => {
    link.detach();
    client.close();
    await peer.close();
    await server.close();
  });

  test('negotiates through signaling: offer/answer and trickled candidates both ways', async () => {
    await link.offer();
    assert.equal(link.epoch, 1);
    await peer.connected();
    assert.equal(await echoOnce(channel, 'ping'), 'echo: ping');
    const serverPeer = [...server.peers.values()][0]?.peer;
    assert.ok(
      serverPeer && serverPeer.addedCandidates.length > 0,
      'client candidates reached the server',
    );
    assert.ok(peer.addedCandidates.length > 0, 'server candidates reached the client');
  });

  test('drops candidates and offers of an older negotiation, and ignores other peers', async () => {
    await link.offer();
    await peer.connected();
    const session = server.signaling.sessions.get(client.sessionId ?? '');
    assert.ok(session);
    const added = peer.addedCandidates.length;
    const dropped: Array<PeerSignalingEvents['dropped']> = [];
    link.on('dropped', (event) => dropped.push(event));
    const candidate = { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' };

    session.emit('peer:candidate', { peerId: 'default', epoch: 0, candidate });
    session.emit('peer:offer', { peerId: 'default', epoch: 1, sdp: 'v=0 (a replayed offer)' });
    session.emit('peer:candidate', { peerId: 'another-peer', epoch: 1, candidate });
    await until(() => dropped.length === 2, 'both stale messages were dropped');

    assert.deepEqual(dropped, [
      { kind: 'candidate', epoch: 0, currentEpoch: 1 },
      { kind: 'offer', epoch: 1, currentEpoch: 1 },
    ]);
    assert.equal(peer.addedCandidates.length, added, 'no stale candidate reached the peer');
    assert.equal(await echoOnce(channel, 'unharmed'), 'echo: unharmed');
  });

  test('drops the late answer of a replaced negotiation and completes the newer one', async () => {
    // Held by a promise made up front: on a slow machine the first offer's processOffer may still
    // be running when the test releases it, and the release must not be lost.
    let releaseFirstAnswer = () => {};
    const firstAnswerHeld = new Promise<void>((resolve) => (releaseFirstAnswer = resolve));
    server.beforeAnswer = (epoch) => (epoch === 1 ? firstAnswerHeld : Promise.resolve());
    const dropped: Array<PeerSignalingEvents['dropped']> = [];
    link.on('dropped', (event) => dropped.push(event));

    const first = link.offer();
    await until(
      () => link.epoch === 1 && server.peers.size === 1,
      'the first offer reached the server',
    );
    const second = link.offer();
    await until(
      () => [...server.peers.values()][0]?.epoch.current === 2,
      'the second offer arrived',
    );
    releaseFirstAnswer();

    await assert.rejects(first, (error) => isSignalingError(error, 'SUPERSEDED'));
    // Server candidates of epoch 1 that arrive late are dropped as well; timing decides how many.
    assert.deepEqual(
      dropped.filter(({ kind }) => kind !== 'candidate'),
      [{ kind: 'answer', epoch: 1, currentEpoch: 2 }],
    );
    assert.ok(dropped.every(({ epoch }) => epoch === 1));
    await second;
    await peer.connected();
    assert.equal(await echoOnce(channel, 'after the race'), 'echo: after the race');
  });

  test('after a reconnect, drops the candidates of the negotiation a new offer replaced', async () => {
    await link.offer();
    await peer.connected();
    const session = server.signaling.sessions.get(client.sessionId ?? '');
    assert.ok(session);
    const candidate = { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0' };
    const dropped: Array<PeerSignalingEvents['dropped']> = [];
    link.on('dropped', (event) => dropped.push(event));

    // The network drops; the page answers with a new offer (epoch 2) that waits for the
    // session, while the server still trickles a candidate of epoch 1.
    const resumed = nextEvent(client.connection, 'connected');
    client.socket.io.engine.close();
    const renegotiated = link.offer();
    await until(() => !session.connected, 'the server noticed the drop');
    session.emit('peer:candidate', { peerId: 'default', epoch: 1, candidate });

    assert.equal((await resumed).resumed, true);
    await renegotiated;
    assert.equal(link.epoch, 2);
    assert.deepEqual(dropped, [{ kind: 'candidate', epoch: 1, currentEpoch: 2 }]);
    assert.equal(await echoOnce(channel, 'still there'), 'echo: still there');
  });
});

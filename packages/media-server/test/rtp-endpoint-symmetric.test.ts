import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { after, before, describe, type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MediaServer } from '../src/index.js';
import { RpcClient } from './support/RpcClient.js';
import { goodbyeFor, RawRtpPeer } from './support/rawRtpPeer.js';
import { eventually, startServer } from './support/server.js';

/**
 * Symmetric RTP without RTP bleed: an RtpEndpoint sends to where its peer's packets come from
 * (peers behind NAT), but a stranger who sends RTP to its port does not get the call's media,
 * nor can its RTCP end the call. The peer itself may move (NAT rebinding) or come back after
 * a silence (a restarted sender).
 */
describe('RtpEndpoint follows its peer, not a stranger', () => {
  let server: MediaServer;
  let client: RpcClient;

  before(async () => {
    server = await startServer();
    client = await RpcClient.open(server.url);
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  /** A sendrecv peer whose video the endpoint echoes back to it (the endpoint is its own sink). */
  async function loopback(context: TestContext) {
    const pipeline = await client.create('MediaPipeline');
    context.after(() => client.call('release', { object: pipeline }).catch(() => undefined));
    const endpoint = await client.create('RtpEndpoint', { mediaPipeline: pipeline });
    const peer = await RawRtpPeer.open({ direction: 'sendrecv', rtcpMux: false, srtp: false });
    context.after(() => peer.close());
    const answer = (await client.invoke(endpoint, 'processOffer', {
      offer: peer.offer(),
    })) as string;
    peer.applyAnswer(answer);
    await client.invoke(endpoint, 'connect', { sink: endpoint });
    const sending = { index: 0, ssrc: peer.ssrc, paused: false };
    const timer = setInterval(() => {
      if (!sending.paused) peer.sendVideoPacket(sending.index++, sending.ssrc);
    }, 20);
    context.after(() => clearInterval(timer));
    await eventually(
      () => (peer.received.length >= 10 ? true : undefined),
      'the peer gets its video back',
      20_000,
    );
    const port = Number(/^m=video (\d+) /m.exec(answer)?.[1]);
    return { endpoint, peer, sending, port };
  }

  async function echoedMore(peer: RawRtpPeer, count: number, what: string): Promise<void> {
    const start = peer.received.length;
    await eventually(
      () => (peer.received.length >= start + count ? true : undefined),
      what,
      20_000,
    );
  }

  test('RTP and RTCP from a stranger are dropped: the media stays with the peer', async (context) => {
    const { endpoint, peer, port } = await loopback(context);
    await client.call('subscribe', { object: endpoint, type: 'MediaStateChanged' });
    const from = client.received.length;
    // Another host: all of 127/8 is loopback.
    const stranger = createSocket('udp4');
    stranger.bind(0, '127.0.0.2');
    await once(stranger, 'listening');
    context.after(() => stranger.close());
    let strangerGot = 0;
    stranger.on('message', () => strangerGot++);
    const packet = Buffer.alloc(52);
    packet[0] = 0x80;
    packet[1] = 96;
    packet[12] = 0x10; // a VP8 key frame, as the peer sends
    for (let index = 0; index < 5; index++) {
      packet.writeUInt16BE(40_000 + index, 2);
      packet.writeUInt32BE(0x5eed, 8);
      stranger.send(packet, port, '127.0.0.1');
    }
    // And a BYE in the peer's name, to the endpoint's RTCP port.
    stranger.send(goodbyeFor(peer.ssrc), port + 1, '127.0.0.1');
    await echoedMore(peer, 30, 'the peer keeps getting its video back');
    assert.equal(strangerGot, 0, 'the stranger got none of the media');
    const stats = (await client.invoke(endpoint, 'getStats', { mediaType: 'VIDEO' })) as Record<
      string,
      Record<string, unknown>
    >;
    const inbound = Object.values(stats).find((entry) => entry.type === 'inboundrtp');
    assert.ok(Number(inbound?.packetsDiscarded) >= 5, `discarded ${inbound?.packetsDiscarded}`);
    const changes = client.received
      .slice(from)
      .filter(
        (message) => 'method' in message && message.params.value.type === 'MediaStateChanged',
      );
    assert.deepEqual(changes, [], "the stranger's BYE did not end the peer's media");
  });

  test('the peer moving to a new port with its stream (NAT rebinding) is followed at once', async (context) => {
    const { peer } = await loopback(context);
    await peer.rebind();
    await echoedMore(peer, 10, 'the video comes back to the new port');
  });

  test('after the peer is silent a while, a sender from elsewhere is taken (a restart)', async (context) => {
    const { peer, sending } = await loopback(context);
    sending.paused = true;
    await sleep(1500);
    await peer.rebind();
    sending.ssrc = (sending.ssrc + 1) >>> 0;
    sending.index += 5000;
    sending.paused = false;
    await echoedMore(peer, 10, 'the video comes back to the restarted sender');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RTCPeerConnection } from 'werift';
import { IceUdpMux } from '../src/transport/index.js';
import { eventually } from './support/server.js';

const LOOPBACK_CONFIG = { iceAdditionalHostAddresses: ['127.0.0.1'], iceServers: [] };

/** werift's ICE agent fields the test sets (private in its typings). */
interface AgentFields {
  localUsername: string;
  localPassword: string;
  userHistory: Record<string, string>;
}

function agentOf(peerConnection: RTCPeerConnection): AgentFields {
  const transport = peerConnection.iceTransports[0];
  assert.ok(transport, 'an ICE transport');
  return transport.connection as unknown as AgentFields;
}

/** A data channel's first message, which both ends see only through ICE and DTLS. */
async function connectAndEcho(server: RTCPeerConnection, client: RTCPeerConnection, text: string) {
  const channel = server.createDataChannel('echo');
  const received = new Promise<string>((resolve) => {
    client.onDataChannel.subscribe((remote) => {
      remote.onMessage.subscribe((message) => resolve(message.toString()));
    });
  });
  channel.stateChanged.subscribe((state) => {
    if (state === 'open') channel.send(text);
  });
  return { channel, received };
}

describe('IceUdpMux with agents that share a ufrag', () => {
  let mux: IceUdpMux;
  const peerConnections: RTCPeerConnection[] = [];

  before(async () => {
    mux = await IceUdpMux.bind({ port: 0 });
  });

  after(async () => {
    await Promise.all(peerConnections.map((peerConnection) => peerConnection.close()));
    await mux.close();
  });

  test("werift's 4-hex-digit ufrags can collide: the peer's ufrag tells the agents apart", async () => {
    const pairs = ['first', 'second'].map((name) => {
      const server = new RTCPeerConnection(LOOPBACK_CONFIG);
      const client = new RTCPeerConnection(LOOPBACK_CONFIG);
      peerConnections.push(server, client);
      return { name, server, client };
    });
    const echoes = [];
    for (const { name, server, client } of pairs) {
      const echo = await connectAndEcho(server, client, `hello ${name}`);
      echoes.push(echo.received);
      const agent = agentOf(server);
      // Both server agents answer to the same ufrag, as two of 300 do about every other run.
      agent.localUsername = 'beef';
      agent.userHistory.beef = agent.localPassword;
      const offer = await server.createOffer();
      mux.attach(server);
      await server.setLocalDescription(offer);
      await client.setRemoteDescription(server.localDescription ?? offer);
      await client.setLocalDescription(await client.createAnswer());
      const answer = client.localDescription;
      assert.ok(answer);
      await server.setRemoteDescription(answer);
    }
    assert.match(pairs[0]?.server.localDescription?.sdp ?? '', new RegExp(` ${mux.port} typ host`));
    assert.deepEqual(await Promise.all(echoes), ['hello first', 'hello second']);
    await eventually(
      () => (mux.counters.routes >= 2 ? true : undefined),
      'each client is routed by its address',
    );
  });
});

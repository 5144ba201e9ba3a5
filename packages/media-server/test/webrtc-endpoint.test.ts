import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MediaServer } from '../src/index.js';
import { RpcClient } from './support/RpcClient.js';
import { startServer } from './support/server.js';

/** WebRtcEndpoint's Kurento properties and methods, through the protocol, without a browser. */

let server: MediaServer;
let client: RpcClient;
let pipeline: string;

before(async () => {
  server = await startServer({ ice: { stunServer: '192.0.2.1:3478' } });
  client = await RpcClient.open(server.url);
  pipeline = await client.create('MediaPipeline');
});

after(async () => {
  await client.call('release', { object: pipeline });
  await client.close();
  await server.close();
});

describe('WebRtcEndpoint properties', () => {
  it('starts from the server ICE settings and reads back what is set', async () => {
    const endpoint = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    assert.equal(await client.invoke(endpoint, 'getStunServerAddress'), '192.0.2.1');
    assert.equal(await client.invoke(endpoint, 'getStunServerPort'), 3478);
    await client.invoke(endpoint, 'setStunServerAddress', { stunServerAddress: '' });
    assert.equal(await client.invoke(endpoint, 'getStunServerAddress'), '');
    await client.invoke(endpoint, 'setTurnUrl', {
      turnUrl: 'user:pass@192.0.2.2:3478?transport=udp',
    });
    assert.equal(
      await client.invoke(endpoint, 'getTurnUrl'),
      'user:pass@192.0.2.2:3478?transport=udp',
    );
    await client.invoke(endpoint, 'setMaxVideoRecvBandwidth', { maxVideoRecvBandwidth: 1000 });
    assert.equal(await client.invoke(endpoint, 'getMaxVideoRecvBandwidth'), 1000);
    await client.invoke(endpoint, 'setMinVideoSendBandwidth', { minVideoSendBandwidth: 200 });
    assert.equal(await client.invoke(endpoint, 'getMinVideoSendBandwidth'), 200);
    assert.equal(await client.invoke(endpoint, 'getMaxVideoSendBandwidth'), 500);
    assert.equal(await client.invoke(endpoint, 'getConnectionState'), 'DISCONNECTED');
    assert.equal(await client.invoke(endpoint, 'getMediaState'), 'DISCONNECTED');
    await client.invoke(endpoint, 'setNetworkInterfaces', { networkInterfaces: 'eth0' });
    assert.equal(await client.invoke(endpoint, 'getNetworkInterfaces'), 'eth0');
    await client.invoke(endpoint, 'setIceTcp', { iceTcp: false });
    assert.equal(await client.invoke(endpoint, 'getIceTcp'), false);
    await client.invoke(endpoint, 'requestKeyframe');
  });

  it('refuses malformed TURN URLs and external addresses with 40107', async () => {
    const endpoint = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    const turn = await client.failure('invoke', {
      object: endpoint,
      operation: 'setTurnUrl',
      operationParams: { turnUrl: 'turn.example.org' },
    });
    assert.equal(turn.code, 40107);
    const address = await client.failure('invoke', {
      object: endpoint,
      operation: 'setExternalIPv4',
      operationParams: { externalIPv4: 'my public address' },
    });
    assert.equal(address.code, 40107);
    assert.equal(
      await client.invoke(endpoint, 'getExternalIPv4'),
      '',
      'a refused value is not kept',
    );
  });

  it('announces externalIPv4 in its candidates when set before negotiating', async () => {
    const endpoint = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    await client.invoke(endpoint, 'setStunServerAddress', { stunServerAddress: '' });
    await client.invoke(endpoint, 'setExternalIPv4', { externalIPv4: '203.0.113.7' });
    await client.call('subscribe', { object: endpoint, type: 'IceCandidateFound' });
    const offer = (await client.invoke(endpoint, 'generateOffer')) as string;
    assert.match(offer, /203\.0\.113\.7/);
    await client.invoke(endpoint, 'gatherCandidates');
    const found = await client.waitForEvent('IceCandidateFound', endpoint);
    assert.match(
      String((found.params.value.data.candidate as { candidate: string }).candidate),
      /203\.0\.113\.7/,
    );
  });

  it('opens data channels only on endpoints created with useDataChannels', async () => {
    const plain = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    const refused = await client.failure('invoke', {
      object: plain,
      operation: 'createDataChannel',
      operationParams: { label: 'chat' },
    });
    assert.match(refused.message, /useDataChannels/);
    const withData = await client.create('WebRtcEndpoint', {
      mediaPipeline: pipeline,
      useDataChannels: true,
    });
    // The server's STUN address is unreachable here: clear it so gathering does not wait for it.
    await client.invoke(withData, 'setStunServerAddress', { stunServerAddress: '' });
    await client.invoke(withData, 'createDataChannel', { label: 'chat', ordered: false });
    await client.invoke(withData, 'closeDataChannel', { channelId: 12345 });
    const offer = (await client.invoke(withData, 'generateOffer')) as string;
    assert.match(offer, /m=application/);
  });
});

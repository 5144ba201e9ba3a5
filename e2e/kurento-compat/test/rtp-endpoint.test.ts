import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import kurento, { type KurentoClient } from 'kurento-client';
import { createMediaServer, type MediaServer } from '../../../packages/media-server/src/index.js';

/** Connects as the Kurento tutorials do. */
function connectKurento(url: string): Promise<KurentoClient> {
  return new Promise((resolve, reject) => {
    kurento(url, {}, (error, client) => (error ? reject(error) : resolve(client)));
  });
}

describe('kurento-client 7.3.0 creates and negotiates RtpEndpoints unchanged', () => {
  let server: MediaServer;
  let client: KurentoClient;

  before(async () => {
    server = await createMediaServer({ port: 0, logLevel: 'warn' });
    client = await connectKurento(server.url);
  });
  after(async () => {
    client.close();
    await server.close();
  });

  test('two SDES-SRTP RtpEndpoints negotiate with each other and report CONNECTED', async () => {
    const pipeline = await client.create('MediaPipeline');
    const SDES = kurento.getComplexType('SDES');
    const crypto = SDES({ crypto: 'AES_128_CM_HMAC_SHA1_80' });
    const offerer = await pipeline.create('RtpEndpoint', { crypto });
    const answerer = await pipeline.create('RtpEndpoint', { crypto });
    const states: string[] = [];
    offerer.on('ConnectionStateChanged', (event: { newState: string }) =>
      states.push(event.newState),
    );
    const offer: string = await offerer.generateOffer();
    assert.match(offer, /^m=video \d+ RTP\/SAVP /m);
    assert.match(offer, /^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}$/m);
    const answer: string = await answerer.processOffer(offer);
    assert.match(answer, /^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:/m);
    await offerer.processAnswer(answer);
    assert.equal(await offerer.getConnectionState(), 'CONNECTED');
    assert.equal(await answerer.getConnectionState(), 'CONNECTED');
    assert.equal(await offerer.getRemoteSessionDescriptor(), answer);
    for (let attempt = 0; attempt < 50 && states.length === 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(states, ['CONNECTED']);
    await pipeline.release();
  });

  test('a plain RTP offer from an ffmpeg-like sender is answered with a port and recvonly', async () => {
    const pipeline = await client.create('MediaPipeline');
    const endpoint = await pipeline.create('RtpEndpoint');
    const answer: string = await endpoint.processOffer(
      [
        'v=0',
        'o=- 0 0 IN IP4 127.0.0.1',
        's=ffmpeg',
        'c=IN IP4 127.0.0.1',
        't=0 0',
        'm=video 40000 RTP/AVP 96',
        'a=rtpmap:96 H264/90000',
        'a=fmtp:96 packetization-mode=1',
        'a=sendonly',
        '',
      ].join('\r\n'),
    );
    assert.match(answer, /^m=video [1-9]\d* RTP\/AVP 96$/m);
    assert.match(answer, /^a=recvonly$/m);
    // Without a callback kurento-client throws errors of SdpEndpoint methods out of its noop.
    const refused = await new Promise<Error | undefined>((resolve) =>
      endpoint.processOffer('not sdp', (error: Error | undefined) => resolve(error)),
    );
    assert.match(String(refused?.message), /negotiated/);
    await pipeline.release();
  });
});

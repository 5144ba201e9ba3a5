import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import kurento, { type KurentoClient, type MediaElement } from 'kurento-client';
import { createMediaServer, type MediaServer } from '../../../packages/media-server/src/index.js';

/** What kurento-client's RtpEndpoint offers that this test uses (SdpEndpoint's methods). */
interface RtpEndpoint extends MediaElement {
  generateOffer(): Promise<string>;
  processOffer(offer: string): Promise<string>;
  processOffer(offer: string, callback: (error: Error | undefined) => void): void;
  processAnswer(answer: string): Promise<string>;
  getConnectionState(): Promise<string>;
  getRemoteSessionDescriptor(): Promise<string>;
}

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
    const offerer = (await pipeline.create('RtpEndpoint', { crypto })) as RtpEndpoint;
    const answerer = (await pipeline.create('RtpEndpoint', { crypto })) as RtpEndpoint;
    const states: string[] = [];
    offerer.on('ConnectionStateChanged', (event) => {
      states.push(String(event.newState));
    });
    const offer = await offerer.generateOffer();
    assert.match(offer, /^m=video \d+ RTP\/SAVP /m);
    assert.match(offer, /^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}$/m);
    const answer = await answerer.processOffer(offer);
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
    const endpoint = (await pipeline.create('RtpEndpoint')) as RtpEndpoint;
    const answer = await endpoint.processOffer(
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
      endpoint.processOffer('not sdp', (error) => resolve(error)),
    );
    assert.match(String(refused?.message), /negotiated/);
    await pipeline.release();
  });
});

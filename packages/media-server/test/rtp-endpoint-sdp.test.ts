import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MediaServer } from '../src/index.js';
import { RpcClient } from './support/RpcClient.js';
import { startServer } from './support/server.js';

const PORT_RANGE = { min: 41_000, max: 41_009 };

function offer(lines: readonly string[]): string {
  return [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=peer',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    ...lines,
    '',
  ].join('\r\n');
}

/** What an RtpEndpoint writes in its SDP: ports of the configured range, RTCP, external address. */
describe('RtpEndpoint SDP', () => {
  let server: MediaServer;
  let client: RpcClient;
  let pipeline: string;

  before(async () => {
    server = await startServer({ ice: { portRange: PORT_RANGE, externalIPv4: '198.51.100.7' } });
    client = await RpcClient.open(server.url);
    pipeline = await client.create('MediaPipeline');
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  test('ports come in even/odd pairs from --ice-port-range, the c= line is the external address', async () => {
    const endpoint = await client.create('RtpEndpoint', { mediaPipeline: pipeline });
    const sdp = (await client.invoke(endpoint, 'generateOffer')) as string;
    assert.match(sdp, /^c=IN IP4 198\.51\.100\.7$/m);
    for (const kind of ['audio', 'video']) {
      const port = Number(new RegExp(`^m=${kind} (\\d+) RTP/AVP `, 'm').exec(sdp)?.[1]);
      assert.ok(port >= PORT_RANGE.min && port < PORT_RANGE.max, `${kind} port ${port}`);
      assert.equal(port % 2, 0);
      assert.ok(sdp.includes(`a=rtcp:${port + 1}`), `RTCP on ${port + 1}`);
    }
    assert.match(sdp, /^a=rtpmap:96 VP8\/90000$/m);
    assert.match(sdp, /^a=rtpmap:0 PCMU\/8000$/m);
    assert.match(sdp, /^a=rtcp-fb:96 nack pli$/m);
    await client.call('release', { object: endpoint });
  });

  test('rtcp-mux is answered when offered, a medium it cannot take gets port 0', async () => {
    const endpoint = await client.create('RtpEndpoint', { mediaPipeline: pipeline });
    const answer = (await client.invoke(endpoint, 'processOffer', {
      offer: offer([
        'm=audio 5004 RTP/AVP 8 101',
        'a=rtpmap:101 telephone-event/8000',
        'a=rtcp-mux',
        'a=sendrecv',
        'm=application 5006 UDP/BFCP *',
      ]),
    })) as string;
    assert.match(answer, /^m=audio \d+ RTP\/AVP 8$/m);
    assert.match(answer, /^a=rtpmap:8 PCMA\/8000$/m);
    assert.match(answer, /^a=rtcp-mux$/m);
    assert.match(answer, /^a=sendrecv$/m);
    assert.match(answer, /^m=application 0 UDP\/BFCP/m);
    await client.call('release', { object: endpoint });
  });

  test('the range runs out with a clear error, and released endpoints give their ports back', async () => {
    const endpoints: string[] = [];
    // 10 ports = 5 pairs; each offer takes two pairs (audio and video).
    for (let index = 0; index < 2; index++) {
      const endpoint = await client.create('RtpEndpoint', { mediaPipeline: pipeline });
      await client.invoke(endpoint, 'generateOffer');
      endpoints.push(endpoint);
    }
    const third = await client.create('RtpEndpoint', { mediaPipeline: pipeline });
    const refused = await client.failure('invoke', {
      object: third,
      operation: 'generateOffer',
      operationParams: {},
    });
    assert.equal(refused.code, 40204);
    assert.match(refused.message, /--ice-port-range/);
    // The refused offer gave back the one pair it had taken: an audio-only answer still fits.
    const audioOnly = await client.create('RtpEndpoint', { mediaPipeline: pipeline });
    await client.invoke(audioOnly, 'processOffer', {
      offer: offer(['m=audio 5004 RTP/AVP 0', 'a=sendrecv']),
    });
    endpoints.push(audioOnly, third);
    for (const endpoint of endpoints) await client.call('release', { object: endpoint });
    const again = await client.create('RtpEndpoint', { mediaPipeline: pipeline });
    assert.match((await client.invoke(again, 'generateOffer')) as string, /^m=video 410\d\d /m);
  });
});

import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MediaServer } from '../src/index.js';
import { resolveOptions } from '../src/server/options.js';
import { makeTestMedia } from './support/mediaFiles.js';
import { RpcClient } from './support/RpcClient.js';
import { startServer } from './support/server.js';

/**
 * HTTP playback is not a way into the server's network (SSRF): loopback, private and link-local
 * hosts, the media server's own port among them, are refused unless --allow-http-hosts names
 * them, whether the URI names them, a host name resolves to them, or a redirect leads there.
 */

let mediaRoot: string;
let files: Server;
let filesPort: number;

before(async () => {
  mediaRoot = await mkdtemp(join(tmpdir(), 'medley-http-hosts-'));
  await makeTestMedia(join(mediaRoot, 'clip.webm'), { video: 'vp8', audio: false, seconds: 2 });
  const clip = await readFile(join(mediaRoot, 'clip.webm'));
  files = createServer((request, response) => {
    if (request.url === '/redirect') {
      response.writeHead(302, { Location: `http://127.0.0.1:${filesPort}/clip.webm` }).end();
      return;
    }
    response.writeHead(200, { 'Content-Length': clip.length }).end(clip);
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
  filesPort = (files.address() as AddressInfo).port;
});

after(async () => {
  files?.close();
  await rm(mediaRoot, { recursive: true, force: true });
});

async function withServer(
  allowHttpHosts: string[],
  test: (client: RpcClient, server: MediaServer) => Promise<void>,
): Promise<void> {
  const server = await startServer({ mediaRoot, allowHttpPlayback: true, allowHttpHosts });
  const client = await RpcClient.open(server.url);
  try {
    await test(client, server);
  } finally {
    await client.close();
    await server.close();
  }
}

async function playError(client: RpcClient, uri: string) {
  const pipeline = await client.create('MediaPipeline');
  const player = await client.create('PlayerEndpoint', { mediaPipeline: pipeline, uri });
  await client.call('subscribe', { object: player, type: 'Error' });
  const from = client.received.length;
  await client.invoke(player, 'play');
  const error = await client.waitForEvent('Error', player, from);
  await client.call('release', { object: pipeline });
  return error.params.value.data as { errorCode: number; description: string };
}

describe('PlayerEndpoint HTTP hosts', () => {
  it('refuses internal addresses in the uri at create, the server itself included', async () => {
    await withServer([], async (client, server) => {
      const pipeline = await client.create('MediaPipeline');
      const ownPort = new URL(server.url).port;
      for (const [uri, kind] of [
        [`http://127.0.0.1:${ownPort}/kurento`, 'loopback'],
        [`http://127.0.0.1:${filesPort}/clip.webm`, 'loopback'],
        ['http://[::1]/clip.webm', 'loopback'],
        ['http://[::ffff:127.0.0.1]/clip.webm', 'loopback'],
        ['http://169.254.169.254/latest/meta-data/', 'link-local'],
        ['https://10.1.2.3/clip.webm', 'private'],
        ['http://192.168.0.1/clip.webm', 'private'],
        ['http://0.0.0.0/clip.webm', 'unspecified'],
      ] as const) {
        const error = await client.failure('create', {
          type: 'PlayerEndpoint',
          constructorParams: { mediaPipeline: pipeline, uri },
        });
        assert.equal(error.code, 40107, uri);
        assert.match(error.message, new RegExp(`is a ${kind} address.*--allow-http-hosts`), uri);
      }
    });
  });

  it('refuses a host name that resolves to an internal address, when it connects', async () => {
    await withServer([], async (client) => {
      const error = await playError(client, `http://localhost:${filesPort}/clip.webm`);
      assert.equal(error.errorCode, 40107);
      assert.match(error.description, /localhost \((127\.0\.0\.1|::1)\) is a loopback address/);
    });
  });

  it('plays from a host the operator named, and refuses a redirect out of it', async () => {
    await withServer(['localhost'], async (client) => {
      const pipeline = await client.create('MediaPipeline');
      const player = await client.create('PlayerEndpoint', {
        mediaPipeline: pipeline,
        uri: `http://localhost:${filesPort}/clip.webm`,
      });
      const info = (await client.invoke(player, 'getVideoInfo')) as { duration: number };
      assert.ok(info.duration > 1500, `duration ${info.duration}`);
      await client.call('release', { object: pipeline });
      const error = await playError(client, `http://localhost:${filesPort}/redirect`);
      assert.equal(error.errorCode, 40107);
      assert.match(error.description, /127\.0\.0\.1 is a loopback address/);
    });
  });

  it('takes addresses and CIDR ranges, and refuses a malformed entry at start-up', async () => {
    await withServer(['127.0.0.0/8'], async (client) => {
      const pipeline = await client.create('MediaPipeline');
      const player = await client.create('PlayerEndpoint', {
        mediaPipeline: pipeline,
        uri: `http://127.0.0.1:${filesPort}/clip.webm`,
      });
      await client.invoke(player, 'getVideoInfo');
      await client.call('release', { object: pipeline });
    });
    for (const entry of ['10.0.0.0/99', 'http://x', 'a b'])
      assert.throws(() => resolveOptions({ allowHttpHosts: [entry] }), /allowHttpHosts/);
  });
});

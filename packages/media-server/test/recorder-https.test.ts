import assert from 'node:assert/strict';
import { type ChildProcess, execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { MediaServer } from '../src/index.js';
import { spawnCli } from './support/cliProcess.js';
import { decodeErrors, makeTestMedia, probe } from './support/mediaFiles.js';
import { RpcClient } from './support/RpcClient.js';
import { eventually, startServer } from './support/server.js';

/**
 * RecorderEndpoint with an https URI: the upload goes over TLS to a real local HTTPS server whose
 * certificate (made here with openssl) is trusted only when the media server is told so with
 * NODE_EXTRA_CA_CERTS — the recording then decodes — and an untrusted one is an Error event that
 * says how to trust it.
 */

const run = promisify(execFile);

interface Upload {
  readonly path: string;
  readonly chunks: Buffer[];
  ended: boolean;
}

let directory: string;
let certificateFile: string;
let receiver: Server;
let receiverPort: number;
const uploads: Upload[] = [];

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'medley-recorder-https-'));
  certificateFile = join(directory, 'receiver.pem');
  const keyFile = join(directory, 'receiver.key');
  await run('openssl', [
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1'],
    ...['-keyout', keyFile, '-out', certificateFile],
    ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
  ]);
  await makeTestMedia(join(directory, 'clip.webm'), { video: 'vp8', audio: true, seconds: 2 });
  receiver = createServer(
    { key: await readFile(keyFile), cert: await readFile(certificateFile) },
    (request, response) => {
      const upload: Upload = { path: request.url ?? '', chunks: [], ended: false };
      uploads.push(upload);
      request.on('data', (chunk: Buffer) => upload.chunks.push(chunk));
      request.on('end', () => {
        upload.ended = true;
        response.writeHead(201).end();
      });
    },
  );
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverPort = (receiver.address() as AddressInfo).port;
});

after(async () => {
  receiver?.closeAllConnections();
  receiver?.close();
  await rm(directory, { recursive: true, force: true });
});

/** Plays the clip into a recorder of `https://127.0.0.1:<port><path>` and starts recording. */
async function recordTo(client: RpcClient, path: string) {
  const pipeline = await client.create('MediaPipeline');
  const player = await client.create('PlayerEndpoint', {
    mediaPipeline: pipeline,
    uri: 'clip.webm',
  });
  const recorder = await client.create('RecorderEndpoint', {
    mediaPipeline: pipeline,
    uri: `https://127.0.0.1:${receiverPort}${path}`,
    mediaProfile: 'WEBM',
  });
  await client.call('subscribe', { object: player, type: 'EndOfStream' });
  await client.call('subscribe', { object: recorder, type: 'Error' });
  await client.invoke(player, 'connect', { sink: recorder });
  await client.invoke(recorder, 'record');
  await client.invoke(player, 'play');
  return { pipeline, player, recorder };
}

/** The CLI in a child process, started with `env`; resolves once it listens. */
async function startCli(
  env: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const { child, listening } = spawnCli(
    [
      ...['--media-root', directory],
      ...['--allow-http-recording', 'true', '--allow-http-hosts', '127.0.0.1'],
    ],
    env,
  );
  return { url: await listening, child };
}

describe('RecorderEndpoint over HTTPS', () => {
  it('uploads over TLS to a server whose CA it was given (NODE_EXTRA_CA_CERTS), a file that decodes', async () => {
    const { url, child } = await startCli({ NODE_EXTRA_CA_CERTS: certificateFile });
    const client = await RpcClient.open(url);
    try {
      const { pipeline, player, recorder } = await recordTo(client, '/trusted/call.webm');
      await client.waitForEvent('EndOfStream', player);
      await client.invoke(recorder, 'stopAndWait');
      const upload = await eventually(
        () =>
          uploads.find((candidate) => candidate.path === '/trusted/call.webm' && candidate.ended),
        'the end of the upload',
      );
      await client.call('release', { object: pipeline });
      const file = join(directory, 'uploaded-trusted.webm');
      await writeFile(file, Buffer.concat(upload.chunks));
      const probed = await probe(file);
      assert.deepEqual(probed.streams.map((stream) => stream.codecName).sort(), ['opus', 'vp8']);
      assert.equal(await decodeErrors(file), '');
    } finally {
      await client.close();
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('raises Error saying how to trust a certificate it does not, and uploads nothing', async () => {
    const server: MediaServer = await startServer({
      mediaRoot: directory,
      allowHttpRecording: true,
      allowHttpHosts: ['127.0.0.1'],
    });
    const client = await RpcClient.open(server.url);
    try {
      const { pipeline, recorder } = await recordTo(client, '/untrusted/call.webm');
      const error = await client.waitForEvent('Error', recorder);
      const data = error.params.value.data as { type: string; description: string };
      assert.equal(data.type, 'UPLOAD_FAILED');
      assert.match(
        data.description,
        /TLS certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT/,
      );
      assert.match(data.description, /NODE_EXTRA_CA_CERTS/);
      assert.equal(
        uploads.some((upload) => upload.path.startsWith('/untrusted')),
        false,
        'no request reached the server',
      );
      await client.call('release', { object: pipeline });
    } finally {
      await client.close();
      await server.close();
    }
  });
});

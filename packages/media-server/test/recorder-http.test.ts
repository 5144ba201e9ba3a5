import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import type { MediaServer } from '../src/index.js';
import type { LogFields, Logger } from '../src/logger.js';
import { parseCommandLine } from '../src/server/commandLine.js';
import { decodeErrors, makeTestMedia, probe } from './support/mediaFiles.js';
import { RpcClient } from './support/RpcClient.js';
import { eventually, startServer } from './support/server.js';

/**
 * RecorderEndpoint with an http(s) URI (--allow-http-recording): the recording is POSTed as it
 * is made to a real local HTTP server, which must receive a file ffprobe decodes; its error
 * statuses and its going away are Error events, and a password in the URI is never repeated.
 */

const PASSWORD = 'se:cr@t';

interface Upload {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly chunks: Buffer[];
  bytes: number;
  ended: boolean;
}

let mediaRoot: string;
let server: MediaServer;
let client: RpcClient;
let receiver: Server;
let receiverPort: number;
const uploads: Upload[] = [];
/** Every line the media server logs, at every level, with its fields (errors in full). */
const logLines: string[] = [];

function capturingLogger(context: LogFields = {}): Logger {
  const write = (message: string, fields?: LogFields) =>
    logLines.push(`${message} ${inspect({ ...context, ...fields }, { depth: 8 })}`);
  return {
    debug: write,
    info: write,
    warn: write,
    error: write,
    child: (fields) => capturingLogger({ ...context, ...fields }),
  };
}

before(async () => {
  mediaRoot = await mkdtemp(join(tmpdir(), 'medley-recorder-http-'));
  await Promise.all([
    makeTestMedia(join(mediaRoot, 'clip.webm'), { video: 'vp8', audio: true, seconds: 3 }),
    makeTestMedia(join(mediaRoot, 'clip.mp4'), { video: 'h264', audio: true, seconds: 3 }),
  ]);
  receiver = createServer((request, response) => {
    const upload: Upload = {
      path: request.url ?? '',
      headers: request.headers,
      chunks: [],
      bytes: 0,
      ended: false,
    };
    uploads.push(upload);
    if (upload.path.startsWith('/refuse')) {
      response.writeHead(500, { Connection: 'close' }).end('no space left\n');
      return;
    }
    request.on('data', (chunk: Buffer) => {
      upload.chunks.push(chunk);
      upload.bytes += chunk.length;
      // Goes away mid-upload, after the header and some media.
      if (upload.path.startsWith('/hang-up') && upload.bytes > 20_000) request.socket.destroy();
    });
    request.on('end', () => {
      upload.ended = true;
      response.writeHead(201).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverPort = (receiver.address() as AddressInfo).port;
  server = await startServer({
    mediaRoot,
    logger: capturingLogger(),
    allowHttpRecording: true,
    allowHttpHosts: ['127.0.0.1'],
  });
  client = await RpcClient.open(server.url);
});

after(async () => {
  await client?.close();
  await server?.close();
  receiver?.closeAllConnections();
  receiver?.close();
  await rm(mediaRoot, { recursive: true, force: true });
});

/** TCP sockets this process holds (the media server's uploads among them). */
function tcpSockets(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'TCPSocketWrap').length;
}

function uploadUrl(path: string, credentials = `medley:${encodeURIComponent(PASSWORD)}@`) {
  return `http://${credentials}127.0.0.1:${receiverPort}${path}`;
}

/** A player of `clip` feeding a recorder of `uri`, both subscribed to what the tests wait for. */
async function playInto(clip: string, uri: string, mediaProfile = 'WEBM') {
  const pipeline = await client.create('MediaPipeline');
  const player = await client.create('PlayerEndpoint', { mediaPipeline: pipeline, uri: clip });
  const recorder = await client.create('RecorderEndpoint', {
    mediaPipeline: pipeline,
    uri,
    mediaProfile,
  });
  await client.call('subscribe', { object: player, type: 'EndOfStream' });
  for (const type of ['Error', 'Stopped']) {
    await client.call('subscribe', { object: recorder, type });
  }
  await client.invoke(player, 'connect', { sink: recorder });
  await client.invoke(recorder, 'record');
  await client.invoke(player, 'play');
  return { pipeline, player, recorder };
}

function uploadTo(path: string): Promise<Upload> {
  return eventually(() => uploads.find((upload) => upload.path === path), `a POST to ${path}`);
}

/** Records the 3 s clip over HTTP, waits past its end, stops, and returns the uploaded file. */
async function recordOverHttp(clip: string, path: string, mediaProfile: string) {
  const from = client.received.length;
  const { pipeline, player, recorder } = await playInto(clip, uploadUrl(path), mediaProfile);
  const upload = await uploadTo(path);
  // Streaming: media arrives while the clip still plays, long before the recording stops.
  await eventually(() => (upload.bytes > 10_000 ? true : undefined), 'media during the recording');
  assert.equal(upload.ended, false, 'the body is still open while recording');
  await client.waitForEvent('EndOfStream', player, from);
  // Wall time goes on after the media ended: the file must last as long as the media, not this.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await client.invoke(recorder, 'stopAndWait');
  await eventually(() => (upload.ended ? true : undefined), 'the end of the upload');
  await client.call('release', { object: pipeline });
  const file = join(mediaRoot, `uploaded-${path.replaceAll('/', '-')}`);
  await writeFile(file, Buffer.concat(upload.chunks));
  return { upload, file };
}

describe('RecorderEndpoint over HTTP', () => {
  it('POSTs a WebM recording as it records, chunked with basic auth, that decodes and lasts as long as the media', async () => {
    const { upload, file } = await recordOverHttp('clip.webm', '/ok/call.webm', 'WEBM');
    assert.equal(upload.headers['transfer-encoding'], 'chunked');
    assert.equal(upload.headers['content-type'], 'video/webm');
    assert.equal(
      upload.headers.authorization,
      `Basic ${Buffer.from(`medley:${PASSWORD}`).toString('base64')}`,
    );
    const probed = await probe(file);
    assert.match(probed.formatName, /webm/);
    const video = probed.streams.find((stream) => stream.codecType === 'video');
    const audio = probed.streams.find((stream) => stream.codecType === 'audio');
    assert.equal(video?.codecName, 'vp8');
    assert.equal(audio?.codecName, 'opus');
    assert.ok(video && video.packets > 60, `${video?.packets} video frames`);
    const end = video?.endSeconds ?? 0;
    assert.ok(end > 2.5 && end < 3.5, `the video ends at ${end} s (the clip lasts 3 s)`);
    assert.equal(await decodeErrors(file), '');
  });

  it('POSTs an MP4 recording (H.264 + Opus) whose fragments decode', async () => {
    const { upload, file } = await recordOverHttp('clip.mp4', '/ok/call.mp4', 'MP4');
    assert.equal(upload.headers['content-type'], 'video/mp4');
    const probed = await probe(file);
    assert.match(probed.formatName, /mp4/);
    const video = probed.streams.find((stream) => stream.codecType === 'video');
    assert.equal(video?.codecName, 'h264');
    assert.deepEqual(probed.streams.map((stream) => stream.codecName).sort(), ['h264', 'opus']);
    const end = video?.endSeconds ?? 0;
    assert.ok(end > 2.5 && end < 3.5, `the video ends at ${end} s (the clip lasts 3 s)`);
    assert.equal(await decodeErrors(file), '');
  });

  it('raises Error (UPLOAD_FAILED, 40003) when the server answers an error status, and stops', async () => {
    const from = client.received.length;
    const { pipeline, recorder } = await playInto('clip.webm', uploadUrl('/refuse/call.webm'));
    const error = await client.waitForEvent('Error', recorder, from);
    const data = error.params.value.data as {
      errorCode: number;
      type: string;
      description: string;
    };
    assert.equal(data.errorCode, 40003);
    assert.equal(data.type, 'UPLOAD_FAILED');
    assert.match(data.description, /answered HTTP 500/);
    assert.match(data.description, /medley:\*\*\*@127\.0\.0\.1/);
    assert.ok(!data.description.includes(PASSWORD) && !data.description.includes('se%3Acr'));
    await client.waitForEvent('Stopped', recorder, from);
    assert.equal(await client.invoke(recorder, 'getState'), 'STOP');
    await client.call('release', { object: pipeline });
  });

  it('raises Error when the server goes away mid-upload, leaks no socket and keeps serving', async () => {
    const socketsBefore = tcpSockets();
    const from = client.received.length;
    const { pipeline, recorder } = await playInto('clip.webm', uploadUrl('/hang-up/call.webm'));
    const error = await client.waitForEvent('Error', recorder, from);
    const data = error.params.value.data as { type: string; description: string };
    assert.equal(data.type, 'UPLOAD_FAILED');
    assert.match(data.description, /connection to the receiving server was lost after \d+ bytes/);
    assert.ok(!data.description.includes(PASSWORD));
    await client.waitForEvent('Stopped', recorder, from);
    await client.call('release', { object: pipeline });
    const open = await eventually(
      () =>
        new Promise<number | undefined>((resolve) =>
          receiver.getConnections((_error, count) => resolve(count === 0 ? count : undefined)),
        ),
      'the receiving server has no connection left',
    );
    assert.equal(open, 0);
    await eventually(
      () => (tcpSockets() <= socketsBefore ? true : undefined),
      `the media server's upload socket is closed (${tcpSockets()} TCP sockets, ${socketsBefore} before)`,
    );
    assert.ok((await client.create('MediaPipeline')).endsWith('_kurento.MediaPipeline'));
  });

  it('never writes the password to the log', () => {
    assert.ok(logLines.length > 0, 'the server logged');
    for (const line of logLines) {
      assert.ok(!line.includes(PASSWORD) && !line.includes(encodeURIComponent(PASSWORD)), line);
    }
  });

  it('takes --allow-http-recording and MEDLEY_ALLOW_HTTP_RECORDING, true or false only', () => {
    const serve = (argv: string[], env: Record<string, string> = {}) => {
      const parsed = parseCommandLine(argv, env);
      assert.equal(parsed.kind, 'serve');
      return parsed.kind === 'serve' ? parsed.options : undefined;
    };
    assert.equal(serve(['--allow-http-recording', 'true'])?.allowHttpRecording, true);
    assert.equal(serve([], { MEDLEY_ALLOW_HTTP_RECORDING: 'false' })?.allowHttpRecording, false);
    assert.equal(serve([])?.allowHttpRecording, undefined);
    assert.throws(
      () => parseCommandLine(['--allow-http-recording', 'yes'], {}),
      /--allow-http-recording must be true or false, got 'yes'/,
    );
  });

  it('refuses http(s) URIs while the option is off, and internal hosts it does not name', async () => {
    const plain = await startServer({ mediaRoot });
    const open = await startServer({ mediaRoot, allowHttpRecording: true });
    const plainClient = await RpcClient.open(plain.url);
    const openClient = await RpcClient.open(open.url);
    try {
      const uri = uploadUrl('/ok/refused.webm');
      const refusal = async (on: RpcClient) =>
        on.failure('create', {
          type: 'RecorderEndpoint',
          constructorParams: { mediaPipeline: await on.create('MediaPipeline'), uri },
        });
      const off = await refusal(plainClient);
      assert.equal(off.code, 40107);
      assert.match(off.message, /recording to HTTP is disabled.*--allow-http-recording true/);
      const internal = await refusal(openClient);
      assert.equal(internal.code, 40107);
      assert.match(internal.message, /loopback address.*--allow-http-hosts/);
      for (const message of [off.message, internal.message]) {
        assert.ok(!message.includes(PASSWORD) && !message.includes('se%3Acr'), message);
      }
    } finally {
      await plainClient.close();
      await openClient.close();
      await plain.close();
      await open.close();
    }
  });
});

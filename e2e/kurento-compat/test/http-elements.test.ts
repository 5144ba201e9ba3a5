import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import kurento, { type KurentoClient, type MediaElement } from 'kurento-client';
import { createMediaServer, type MediaServer } from '../../../packages/media-server/src/index.js';

/** kurento-client's HttpPostEndpoint and RecorderEndpoint, as the tutorials call them. */
interface HttpPostEndpoint extends MediaElement {
  getUrl(): Promise<string>;
}
interface RecorderEndpoint extends MediaElement {
  record(): Promise<void>;
}

function once(element: MediaElement, event: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const listener = (data: Record<string, unknown>) => {
      element.removeListener(event, listener);
      resolve(data);
    };
    element.on(event, listener);
  });
}

/**
 * The HTTP elements, created and driven by the official kurento-client 7.3.0: a WebM POSTed to
 * an HttpPostEndpoint's getUrl is played into a RecorderEndpoint that uploads to an http:// URI
 * with credentials, and the upload decodes.
 */
describe('kurento-client 7.3.0 drives HttpPostEndpoint and HTTP recording', () => {
  const mediaRoot = mkdtempSync(join(tmpdir(), 'medley-compat-http-'));
  let server: MediaServer;
  let client: KurentoClient;
  let receiver: Server;
  let received: { chunks: Buffer[]; authorization: string | undefined; ended: boolean } | undefined;

  before(async () => {
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '2', '-c:v', 'libvpx', '-b:v', '300k', '-c:a', 'libopus', join(mediaRoot, 'upload.webm')]);
    receiver = createServer((request, response) => {
      const upload = { chunks: [] as Buffer[], authorization: request.headers.authorization, ended: false };
      received = upload;
      request.on('data', (chunk: Buffer) => upload.chunks.push(chunk));
      request.on('end', () => {
        upload.ended = true;
        response.writeHead(201).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    server = await createMediaServer({
      port: 0,
      logLevel: 'warn',
      mediaRoot,
      allowHttpRecording: true,
      allowHttpHosts: ['127.0.0.1'],
    });
    client = await new Promise<KurentoClient>((resolve, reject) =>
      kurento(server.url, {}, (error, connected) => (error ? reject(error) : resolve(connected))),
    );
  });
  after(async () => {
    client.close();
    await server.close();
    receiver.close();
    rmSync(mediaRoot, { recursive: true, force: true });
  });

  test('a POSTed WebM goes through an HttpPostEndpoint into a recorder uploading over HTTP', { timeout: 60_000 }, async () => {
    const pipeline = await client.create('MediaPipeline');
    const post = (await pipeline.create('HttpPostEndpoint', {
      disconnectionTimeout: 10,
      useEncodedMedia: true,
    })) as HttpPostEndpoint;
    const { port } = receiver.address() as AddressInfo;
    const recorder = (await pipeline.create('RecorderEndpoint', {
      uri: `http://medley:secret@127.0.0.1:${port}/recordings/posted.webm`,
      mediaProfile: 'WEBM',
      stopOnEndOfStream: true,
    })) as RecorderEndpoint;
    const ended = once(post, 'EndOfStream');
    const stopped = once(recorder, 'Stopped');
    await post.connect(recorder);
    await recorder.record();
    const url = await post.getUrl();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/http-endpoint\/[0-9a-f]{32}$/);
    const response = await fetch(url, {
      method: 'POST',
      body: readFileSync(join(mediaRoot, 'upload.webm')),
      headers: { 'Content-Type': 'video/webm' },
    });
    assert.equal(response.status, 200);
    await ended;
    await stopped;
    assert.ok(received?.ended, 'the upload was completed');
    assert.equal(received?.authorization, `Basic ${Buffer.from('medley:secret').toString('base64')}`);
    const uploaded = join(mediaRoot, 'uploaded.webm');
    writeFileSync(uploaded, Buffer.concat(received?.chunks ?? []));
    const codecs = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', uploaded]).toString();
    assert.deepEqual(codecs.trim().split('\n').sort(), ['opus', 'vp8']);
    await pipeline.release();
  });
});

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { browserSuite } from './support/browserSuite.js';
import { BrowserPeer, type PeerOptions } from './transport-harness.js';

const CAMERA_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'support', 'rtsp_camera.py');

/** A stand-in IP camera: GStreamer's RTSP server (Debian packages) run by /usr/bin/python3. */
async function startCamera(port: number): Promise<ChildProcess> {
  const camera = spawn('/usr/bin/python3', [CAMERA_SCRIPT, String(port)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  camera.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = Date.now() + 20_000;
  while (!output.includes('ready')) {
    if (camera.exitCode !== null || Date.now() > deadline) {
      throw new Error(`the RTSP camera did not start: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return camera;
}

async function stopCamera(camera: ChildProcess): Promise<void> {
  if (camera.exitCode !== null || camera.signalCode !== null) return;
  camera.kill('SIGKILL');
  await once(camera, 'exit');
}

async function freeTcpPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  return typeof address === 'object' && address ? address.port : 0;
}

/**
 * PlayerEndpoint on rtsp:// against a real RTSP server: H.264 passed through to a browser
 * that takes H.264, transcoded for one that does not, the camera reconnected after it drops,
 * and an Error event for a camera that is not there.
 */
describe('PlayerEndpoint with an RTSP camera', () => {
  const suite = browserSuite({ allowHttpPlayback: true, allowHttpHosts: ['127.0.0.1'] });

  async function newPipeline(context: TestContext): Promise<string> {
    const pipeline = await suite.client.create('MediaPipeline');
    context.after(() => suite.client.call('release', { object: pipeline }).catch(() => undefined));
    return pipeline;
  }

  async function viewer(context: TestContext, pipeline: string, id: string, options: PeerOptions) {
    const endpoint = await suite.client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    const peer = await BrowserPeer.create(suite.page, id, {
      send: false,
      audio: false,
      ...options,
    });
    context.after(() => peer.close());
    await peer.connectToEndpoint(suite.client, endpoint);
    return { endpoint, peer };
  }

  test('H.264 reaches an H.264 browser as the camera sent it, and plays again after the camera drops', async (context) => {
    const port = await freeTcpPort();
    let camera = await startCamera(port);
    context.after(() => stopCamera(camera));
    const pipeline = await newPipeline(context);
    const player = await suite.client.create('PlayerEndpoint', {
      mediaPipeline: pipeline,
      uri: `rtsp://127.0.0.1:${port}/camera`,
    });
    const h264 = await viewer(context, pipeline, 'rtsp-h264', { videoCodecs: ['video/H264'] });
    await suite.client.invoke(player, 'connect', { sink: h264.endpoint });
    await suite.client.invoke(player, 'play');
    const first = await h264.peer.waitForStats((seen) => seen.framesDecoded > 15, 30_000);
    assert.equal(first.videoCodec, 'video/H264');
    assert.equal(first.frameWidth, 320);
    assert.equal(
      await suite.client.invoke(player, 'isMediaTranscoding', { mediaType: 'VIDEO' }),
      false,
      'the camera H.264 is passed through',
    );
    const vp8 = await viewer(context, pipeline, 'rtsp-vp8', { videoCodecs: ['video/VP8'] });
    await suite.client.invoke(player, 'connect', { sink: vp8.endpoint });
    const transcoded = await vp8.peer.waitForStats((seen) => seen.framesDecoded > 10, 30_000);
    assert.equal(transcoded.videoCodec, 'video/VP8');

    await stopCamera(camera);
    camera = await startCamera(port);
    const before = (await h264.peer.stats()).framesDecoded;
    await h264.peer.waitForStats((seen) => seen.framesDecoded > before + 30, 60_000);
  });

  test('a camera that is not there is an Error event', async (context) => {
    const pipeline = await newPipeline(context);
    const player = await suite.client.create('PlayerEndpoint', {
      mediaPipeline: pipeline,
      uri: `rtsp://127.0.0.1:${await freeTcpPort()}/camera`,
    });
    await suite.client.call('subscribe', { object: player, type: 'Error' });
    const from = suite.client.received.length;
    await suite.client.invoke(player, 'play');
    const error = await suite.client.waitForEvent('Error', player, from);
    assert.equal(error.params.value.data.errorCode, 40600);
    assert.match(String(error.params.value.data.description), /rtsp:\/\/127\.0\.0\.1/);
  });

  test('an rtsp host outside --allow-http-hosts is refused at creation', async (context) => {
    const pipeline = await newPipeline(context);
    const refused = await suite.client.failure('create', {
      type: 'PlayerEndpoint',
      constructorParams: { mediaPipeline: pipeline, uri: 'rtsp://10.1.2.3/camera' },
    });
    assert.equal(refused.code, 40107);
  });
});

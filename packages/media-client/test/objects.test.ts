import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { MediaServer } from '../../media-server/src/index.js';
import type { MediaClient, WebRtcEndpoint } from '../src/index.js';
import { connectClient, recordingWebSocket, startMediaServer } from './helpers.js';

describe('media objects against a real Medley server', () => {
  let server: MediaServer;
  let client: MediaClient;

  before(async () => {
    server = await startMediaServer();
    client = await connectClient(server);
  });
  after(async () => {
    client.close();
    await server.close();
  });

  test('creates a pipeline and its elements with Kurento-shaped ids', async () => {
    const pipeline = await client.create('MediaPipeline');
    const passThrough = await pipeline.create('PassThrough');
    const webRtc = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });

    assert.match(pipeline.id, /^[0-9a-f-]{36}_kurento\.MediaPipeline$/);
    assert.ok(passThrough.id.startsWith(`${pipeline.id}/`));
    assert.match(webRtc.id, /_kurento\.WebRtcEndpoint$/);
    assert.equal(webRtc.type, 'WebRtcEndpoint');
    assert.equal((await webRtc.getMediaPipeline()).id, pipeline.id);
    await pipeline.release();
  });

  test('invokes typed methods: tags, properties and connections', async () => {
    const pipeline = await client.create('MediaPipeline');
    const webRtc = await pipeline.create('WebRtcEndpoint');
    const passThrough = await pipeline.create('PassThrough');

    await webRtc.addTag('room', 'lobby');
    assert.equal(await webRtc.getTag('room'), 'lobby');
    assert.deepEqual(
      (await webRtc.getTags()).map(({ key, value }) => ({ key, value })),
      [{ key: 'room', value: 'lobby' }],
    );
    await webRtc.setName('caller');
    assert.equal(await webRtc.getName(), 'caller');
    await webRtc.setMaxVideoRecvBandwidth(700);
    assert.equal(await webRtc.getMaxVideoRecvBandwidth(), 700);

    await webRtc.connect(passThrough, 'VIDEO');
    const [connection, ...others] = await passThrough.getSourceConnections();
    assert.ok(connection);
    assert.equal(others.length, 0);
    assert.equal(connection.type, 'VIDEO');
    assert.equal(connection.source.id, webRtc.id, 'the source is decoded into an object');
    assert.equal(connection.sink.id, passThrough.id);
    assert.equal(typeof (connection.source as WebRtcEndpoint).processOffer, 'function');

    await webRtc.disconnect(passThrough, 'VIDEO');
    assert.deepEqual(await passThrough.getSourceConnections(), []);
    await pipeline.release();
  });

  test('sends IceCandidate values tagged with their Kurento type', async () => {
    const recorder = recordingWebSocket();
    const tagged = await connectClient(server, { WebSocket: recorder.WebSocket });
    const pipeline = await tagged.create('MediaPipeline');
    const webRtc = await pipeline.create('WebRtcEndpoint');
    const candidate = {
      candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
    };
    await webRtc.addIceCandidate(candidate).catch(() => {}); // the server may refuse it before an offer

    const [invoke] = recorder
      .requests('invoke')
      .filter((r) => r.params.operation === 'addIceCandidate');
    assert.deepEqual(invoke?.params.operationParams, {
      candidate: { ...candidate, __module__: 'kurento', __type__: 'IceCandidate' },
    });
    assert.equal(invoke?.params.sessionId, tagged.sessionId);
    await pipeline.release();
    tagged.close();
  });

  test('creates the mixing and CV types with their typed methods', async () => {
    const pipeline = await client.create('MediaPipeline');
    const composite = await pipeline.create('Composite', {
      width: 640,
      height: 480,
      framerate: 15,
    });
    const port = await pipeline.create('HubPort', { hub: composite });
    assert.equal(composite.type, 'Composite');
    assert.match(await composite.getGstreamerDot(), new RegExp(port.id.replace(/[.]/g, '\\.')));
    const overlay = await pipeline.create('ImageOverlayFilter');
    await assert.rejects(overlay.removeImage('none'), /has no image 'none'/);
    const faces = await pipeline.create('FaceOverlayFilter');
    await faces.unsetOverlayedImage();
    const reader = await pipeline.create('ZBarFilter');
    assert.equal(reader.type, 'ZBarFilter');
    const chroma = await pipeline.create('ChromaFilter', {
      window: { topRightCornerX: 5, topRightCornerY: 5, width: 30, height: 30 },
    });
    await chroma.unsetBackground();
    await assert.rejects(
      chroma.setBackground('none.png'),
      /ChromaFilter uri 'none.png': no such image/,
    );
    const pointer = await pipeline.create('PointerDetectorFilter', {
      calibrationRegion: { topRightCornerX: 0, topRightCornerY: 0, width: 10, height: 10 },
    });
    await pointer.addWindow({ id: 'w', upperRightX: 0, upperRightY: 0, width: 20, height: 20 });
    await pointer.trackColorFromCalibrationRegion();
    await pointer.removeWindow('w');
    await assert.rejects(pointer.removeWindow('w'), /has no window 'w'/);
    await pointer.clearWindows();
    const crowd = await pipeline.create('CrowdDetectorFilter', {
      rois: [
        {
          id: 'all',
          points: [
            { x: 0, y: 0 },
            { x: 1, y: 0 },
            { x: 1, y: 1 },
          ],
          regionOfInterestConfig: { sendOpticalFlowEvent: true },
        },
      ],
    });
    await crowd.setProcessingWidth(160);
    assert.equal(await crowd.getProcessingWidth(), 160);
    const plates = await pipeline.create('PlateDetectorFilter');
    await plates.setPlateWidthPercentage(0.25);
    await assert.rejects(plates.setPlateWidthPercentage(0), /plateWidthPercentage/);
    await pipeline.release();
  });

  test('finds an object created by another client by its id', async () => {
    const other = await connectClient(server);
    const pipeline = await other.create('MediaPipeline');
    const webRtc = await pipeline.create('WebRtcEndpoint');

    const found = await client.getMediaObjectById<'WebRtcEndpoint'>(webRtc.id);
    assert.equal(found.type, 'WebRtcEndpoint');
    assert.equal(typeof found.gatherCandidates, 'function');
    await found.addTag('seen-by', 'client');
    assert.equal(await webRtc.getTag('seen-by'), 'client');
    await pipeline.release();
    other.close();
  });

  test('the server manager reports its info, pipelines and sessions', async () => {
    const info = await client.serverManager.getInfo();
    assert.deepEqual(info.modules.map((module) => module.name).sort(), [
      'chroma',
      'core',
      'crowddetector',
      'elements',
      'filters',
      'platedetector',
      'pointerdetector',
    ]);
    assert.ok((await client.serverManager.getSessions()).includes(client.sessionId ?? ''));

    const pipeline = await client.create('MediaPipeline');
    const pipelines = await client.serverManager.getPipelines();
    assert.deepEqual(
      pipelines.map((listed) => listed.id),
      [pipeline.id],
    );
    assert.equal(typeof pipelines[0]?.create, 'function', 'listed pipelines are usable objects');
  });

  test('releasing a pipeline releases its elements', async () => {
    for (const pipeline of await client.serverManager.getPipelines()) await pipeline.release();
    const pipeline = await client.create('MediaPipeline');
    const webRtc = await pipeline.create('WebRtcEndpoint');
    await pipeline.release();

    assert.deepEqual(await client.serverManager.getPipelines(), []);
    await assert.rejects(webRtc.getName(), { code: 'MEDIA_OBJECT_NOT_FOUND' });
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MediaServer } from '../src/index.js';
import { RpcClient } from './support/RpcClient.js';
import { startServer } from './support/server.js';

const MANAGER = 'manager_ServerManager';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

let server: MediaServer;
let client: RpcClient;

before(async () => {
  server = await startServer();
  client = await RpcClient.open(server.url);
});

after(async () => {
  await client.close();
  await server.close();
});

describe('session bootstrap (what kurento-client does first)', () => {
  it('answers ping with pong, with and without an interval', async () => {
    const fresh = await RpcClient.open(server.url);
    assert.deepEqual((await fresh.request('ping', { interval: 5000 })).result, { value: 'pong' });
    assert.equal((await fresh.request('ping')).result?.value, 'pong');
    await fresh.close();
  });

  it('describes the ServerManager and gives the caller a session', async () => {
    const result = await client.call('describe', { object: MANAGER });
    assert.equal(result.type, 'ServerManager');
    assert.equal(result.qualifiedType, 'kurento.ServerManager');
    assert.deepEqual(result.hierarchy, ['kurento.MediaObject']);
    assert.match(String(result.sessionId), new RegExp(`^${UUID}$`));
  });

  it('reports core, elements and filters modules with their factories in getInfo', async () => {
    const info = (await client.invoke(MANAGER, 'getInfo')) as {
      type: string;
      version: string;
      modules: { name: string; version: string; factories: string[] }[];
    };
    assert.equal(info.type, 'KMS');
    assert.match(info.version, /^\d+\.\d+\.\d+$/);
    const names = info.modules.map((module) => module.name);
    for (const required of ['core', 'elements', 'filters']) assert.ok(names.includes(required));
    const factories = info.modules.flatMap((module) => module.factories);
    for (const type of ['MediaPipeline', 'PassThrough', 'WebRtcEndpoint']) {
      assert.ok(factories.includes(type), `${type} in factories`);
    }
    assert.ok(!factories.includes('MediaElement'), 'abstract types are not factories');
  });

  it('answers connect with the session and a server id', async () => {
    const result = await client.call('connect');
    assert.equal(result.sessionId, client.sessionId);
    assert.match(String(result.serverId), new RegExp(`^${UUID}$`));
  });
});

describe('object model', () => {
  it('creates objects with Kurento ids: pipelines at the root, elements under their pipeline', async () => {
    const pipeline = await client.create('MediaPipeline');
    assert.match(pipeline, new RegExp(`^${UUID}_kurento\\.MediaPipeline$`));
    const endpoint = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    assert.match(endpoint, new RegExp(`^${pipeline}/${UUID}_kurento\\.WebRtcEndpoint$`));
    const described = await client.call('describe', { object: endpoint });
    assert.equal(described.type, 'WebRtcEndpoint');
    assert.equal(described.qualifiedType, 'kurento.WebRtcEndpoint');
    assert.deepEqual(described.hierarchy, [
      'kurento.BaseRtpEndpoint',
      'kurento.SdpEndpoint',
      'kurento.SessionEndpoint',
      'kurento.Endpoint',
      'kurento.MediaElement',
      'kurento.MediaObject',
    ]);
    await client.call('release', { object: pipeline });
  });

  it('serves parent, children, pipeline, name, tags and creation time', async () => {
    const pipeline = await client.create('MediaPipeline');
    const element = await client.create('PassThrough', { mediaPipeline: pipeline });
    assert.equal(await client.invoke(element, 'getMediaPipeline'), pipeline);
    assert.equal(await client.invoke(element, 'getParent'), pipeline);
    assert.equal(await client.invoke(pipeline, 'getMediaPipeline'), pipeline);
    assert.deepEqual(await client.invoke(pipeline, 'getChildren'), [element]);
    assert.deepEqual(await client.invoke(element, 'getChildren'), []);
    assert.equal(await client.invoke(element, 'getName'), element);
    await client.invoke(element, 'setName', { name: 'mixer input' });
    assert.equal(await client.invoke(element, 'getName'), 'mixer input');
    const created = (await client.invoke(element, 'getCreationTime')) as number;
    assert.ok(Number.isInteger(created) && Math.abs(created - Date.now() / 1000) < 60);

    await client.invoke(element, 'addTag', { key: 'room', value: 'blue' });
    assert.equal(await client.invoke(element, 'getTag', { key: 'room' }), 'blue');
    assert.deepEqual(await client.invoke(element, 'getTags'), [
      { key: 'room', value: 'blue', __module__: 'kurento', __type__: 'Tag' },
    ]);
    await client.invoke(element, 'removeTag', { key: 'room' });
    const missing = await client.failure('invoke', {
      object: element,
      operation: 'getTag',
      operationParams: { key: 'room' },
    });
    assert.equal(missing.code, 40110);
    await client.call('release', { object: pipeline });
  });

  it('releasing a pipeline releases its elements, and getPipelines forgets it', async () => {
    const pipeline = await client.create('MediaPipeline');
    const a = await client.create('PassThrough', { mediaPipeline: pipeline });
    const b = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    assert.ok(((await client.invoke(MANAGER, 'getPipelines')) as string[]).includes(pipeline));
    await client.call('release', { object: pipeline });
    for (const id of [pipeline, a, b]) {
      const error = await client.failure('describe', { object: id });
      assert.equal(error.code, 40101);
      assert.equal(error.data?.type, 'MEDIA_OBJECT_NOT_FOUND');
    }
    assert.ok(!((await client.invoke(MANAGER, 'getPipelines')) as string[]).includes(pipeline));
  });

  it('announces ObjectCreated and ObjectDestroyed on the ServerManager', async () => {
    const watcher = await RpcClient.open(server.url);
    await watcher.call('subscribe', { object: MANAGER, type: 'ObjectCreated' });
    await watcher.call('subscribe', { object: MANAGER, type: 'ObjectDestroyed' });
    const pipeline = await client.create('MediaPipeline');
    const created = await watcher.waitForEvent('ObjectCreated');
    assert.equal(created.params.value.data.object, pipeline);
    await client.call('release', { object: pipeline });
    const destroyed = await watcher.waitForEvent('ObjectDestroyed');
    assert.equal(destroyed.params.value.data.objectId, pipeline);
    await watcher.close();
  });

  it('reports sessions, CPU and memory', async () => {
    const sessions = (await client.invoke(MANAGER, 'getSessions')) as string[];
    assert.ok(sessions.includes(client.sessionId as string));
    const cpu = (await client.invoke(MANAGER, 'getUsedCpu', { interval: 50 })) as number;
    assert.ok(cpu >= 0 && Number.isFinite(cpu));
    const memory = (await client.invoke(MANAGER, 'getUsedMemory')) as number;
    assert.ok(memory > 1024, 'resident memory in KiB');
    const kmd = JSON.parse(
      (await client.invoke(MANAGER, 'getKmd', { moduleName: 'elements' })) as string,
    );
    assert.ok(kmd.remoteClasses.some((entry: { name: string }) => entry.name === 'WebRtcEndpoint'));
  });
});

describe('media element connections', () => {
  it('connects and disconnects elements, reporting connections and events', async () => {
    const pipeline = await client.create('MediaPipeline');
    const source = await client.create('PassThrough', { mediaPipeline: pipeline });
    const sink = await client.create('PassThrough', { mediaPipeline: pipeline });
    await client.call('subscribe', { object: source, type: 'ElementConnected' });
    await client.call('subscribe', { object: source, type: 'ElementDisconnected' });

    await client.invoke(source, 'connect', { sink, mediaType: 'VIDEO' });
    const connected = await client.waitForEvent('ElementConnected', source);
    assert.equal(connected.params.value.data.sink, sink);
    assert.equal(connected.params.value.data.mediaType, 'VIDEO');
    assert.deepEqual(await client.invoke(source, 'getSinkConnections'), [
      {
        source,
        sink,
        type: 'VIDEO',
        sourceDescription: 'default',
        sinkDescription: 'default',
        __module__: 'kurento',
        __type__: 'ElementConnectionData',
      },
    ]);
    const sourceConnections = (await client.invoke(sink, 'getSourceConnections', {
      mediaType: 'VIDEO',
    })) as { source: string }[];
    assert.equal(sourceConnections[0]?.source, source);
    assert.equal(await client.invoke(sink, 'isMediaFlowingIn', { mediaType: 'VIDEO' }), false);
    assert.equal(await client.invoke(source, 'isMediaFlowingOut', { mediaType: 'AUDIO' }), false);

    await client.invoke(source, 'disconnect', { sink });
    const disconnected = await client.waitForEvent('ElementDisconnected', source);
    assert.equal(disconnected.params.value.data.sink, sink);
    assert.deepEqual(await client.invoke(source, 'getSinkConnections'), []);

    await client.invoke(source, 'connect', { sink });
    const all = (await client.invoke(sink, 'getSourceConnections')) as { type: string }[];
    assert.deepEqual(all.map((entry) => entry.type).sort(), ['AUDIO', 'DATA', 'VIDEO']);
    await client.call('release', { object: pipeline });
  });

  it('refuses to connect elements of different pipelines', async () => {
    const first = await client.create('MediaPipeline');
    const second = await client.create('MediaPipeline');
    const a = await client.create('PassThrough', { mediaPipeline: first });
    const b = await client.create('PassThrough', { mediaPipeline: second });
    const error = await client.failure('invoke', {
      object: a,
      operation: 'connect',
      operationParams: { sink: b },
    });
    assert.equal(error.code, 40107);
    await client.call('release', { object: first });
    await client.call('release', { object: second });
  });
});

describe('events', () => {
  it('delivers an event as KMS serializes it, under Kurento 7 and Kurento 6 names', async () => {
    const pipeline = await client.create('MediaPipeline');
    const probe = await client.create('EventProbe', { mediaPipeline: pipeline });
    const current = await client.call('subscribe', { object: probe, type: 'IceCandidateFound' });
    const legacy = await client.call('subscribe', { object: probe, type: 'OnIceCandidate' });
    assert.match(String(current.value), new RegExp(`^${UUID}$`));
    assert.notEqual(current.value, legacy.value);

    const from = client.received.length;
    const before = Date.now();
    await client.invoke(probe, 'raiseCandidate', {
      candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host',
    });
    const kurento7 = await client.waitForEvent('IceCandidateFound', probe, from);
    const kurento6 = await client.waitForEvent('OnIceCandidate', probe, from);
    for (const [notification, name] of [
      [kurento7, 'IceCandidateFound'],
      [kurento6, 'OnIceCandidate'],
    ] as const) {
      const { value } = notification.params;
      assert.equal(value.type, name);
      assert.equal(value.object, probe);
      assert.equal(value.data.source, probe);
      assert.equal(value.data.type, name);
      assert.deepEqual(value.data.tags, []);
      const millis = Number(value.data.timestampMillis);
      assert.ok(millis >= before - 1 && millis <= Date.now(), 'timestampMillis is a string of ms');
      assert.equal(value.data.timestamp, String(Math.floor(millis / 1000)));
      assert.deepEqual(value.data.candidate, {
        candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host',
        sdpMid: '0',
        sdpMLineIndex: 0,
        __module__: 'kurento',
        __type__: 'IceCandidate',
      });
    }
    await client.call('release', { object: pipeline });
  });

  it('delivers once per subscribed name, and stops after unsubscribe', async () => {
    const pipeline = await client.create('MediaPipeline');
    const probe = await client.create('EventProbe', { mediaPipeline: pipeline });
    const first = await client.call('subscribe', { object: probe, type: 'IceCandidateFound' });
    const second = await client.call('subscribe', { object: probe, type: 'IceCandidateFound' });
    const count = () => client.events.filter((event) => event.params.value.object === probe).length;

    await client.invoke(probe, 'raiseCandidate', { candidate: 'a' });
    await client.call('ping');
    assert.equal(count(), 1, 'two subscriptions of one session share one delivery');

    await client.call('unsubscribe', { object: probe, subscription: first.value });
    await client.invoke(probe, 'raiseCandidate', { candidate: 'b' });
    await client.call('ping');
    assert.equal(count(), 2);

    await client.call('unsubscribe', { object: probe, subscription: second.value });
    await client.invoke(probe, 'raiseCandidate', { candidate: 'c' });
    await client.call('ping');
    assert.equal(count(), 2);
    await client.call('unsubscribe', { object: probe, subscription: 'no-such-subscription' });
    await client.call('release', { object: pipeline });
  });

  it('keeps the error kind in the data.type of Error events and sends tags when asked', async () => {
    const pipeline = await client.create('MediaPipeline');
    const probe = await client.create('EventProbe', { mediaPipeline: pipeline });
    await client.call('subscribe', { object: probe, type: 'Error' });
    await client.invoke(probe, 'addTag', { key: 'user', value: 'ada' });
    await client.invoke(probe, 'setSendTagsInEvents', { sendTagsInEvents: true });
    await client.invoke(probe, 'raiseError', { description: 'disk full' });
    const event = await client.waitForEvent('Error', probe);
    assert.equal(event.params.value.data.type, 'RESOURCE_ERROR_OPEN');
    assert.equal(event.params.value.data.description, 'disk full');
    assert.deepEqual(event.params.value.data.tags, [
      { key: 'user', value: 'ada', __module__: 'kurento', __type__: 'Tag' },
    ]);
    await client.call('release', { object: pipeline });
  });

  it('refuses events a type does not raise, in either generation', async () => {
    const pipeline = await client.create('MediaPipeline');
    const element = await client.create('PassThrough', { mediaPipeline: pipeline });
    for (const type of ['IceCandidateFound', 'OnIceCandidate', 'NoSuchEvent']) {
      const error = await client.failure('subscribe', { object: element, type });
      assert.equal(error.code, 40106);
      assert.equal(error.data?.type, 'MEDIA_OBJECT_EVENT_NOT_SUPPORTED');
    }
    const endpoint = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    for (const type of [
      'IceCandidateFound',
      'OnIceCandidate',
      'IceGatheringDone',
      'OnIceGatheringDone',
      'IceComponentStateChanged',
      'OnIceComponentStateChanged',
      'NewCandidatePairSelected',
      'ConnectionStateChanged',
      'MediaStateChanged',
      'MediaFlowInStateChanged',
      'MediaFlowInStateChange',
      'MediaFlowOutStateChanged',
      'ElementConnected',
      'ElementDisconnected',
      'DataChannelOpened',
      'OnDataChannelOpened',
      'DataChannelClosed',
      'Error',
    ]) {
      await client.call('subscribe', { object: endpoint, type });
    }
    await client.call('release', { object: pipeline });
  });
});

describe('error codes', () => {
  it('40100 for an unknown type, 40104 for an abstract one', async () => {
    const unknown = await client.failure('create', { type: 'FaceMorpher' });
    assert.equal(unknown.code, 40100);
    assert.equal(unknown.data?.type, 'MEDIA_OBJECT_TYPE_NOT_FOUND');
    const abstract = await client.failure('create', { type: 'MediaElement' });
    assert.equal(abstract.code, 40104);
  });

  it('40101 for an unknown object, whatever the method', async () => {
    for (const [method, params] of [
      ['invoke', { object: 'nope_kurento.MediaPipeline', operation: 'getName' }],
      ['describe', { object: 'nope' }],
      ['subscribe', { object: 'nope', type: 'Error' }],
      ['release', { object: 'nope' }],
      ['ref', { object: 'nope' }],
      ['unref', { object: 'nope' }],
      ['create', { type: 'PassThrough', constructorParams: { mediaPipeline: 'nope' } }],
    ] as const) {
      const error = await client.failure(method, params);
      assert.equal(error.code, 40101, `${method}: ${error.message}`);
    }
  });

  it('40105 for an unknown method', async () => {
    const pipeline = await client.create('MediaPipeline');
    const error = await client.failure('invoke', { object: pipeline, operation: 'explode' });
    assert.equal(error.code, 40105);
    assert.equal(error.data?.type, 'MEDIA_OBJECT_METHOD_NOT_FOUND');
    const inherited = await client.failure('invoke', {
      object: pipeline,
      operation: 'constructor',
    });
    assert.equal(inherited.code, 40105);
    await client.call('release', { object: pipeline });
  });

  it('40107 naming the parameter and the expected type', async () => {
    const pipeline = await client.create('MediaPipeline');
    const endpoint = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    const wrongType = await client.failure('invoke', {
      object: endpoint,
      operation: 'addIceCandidate',
      operationParams: {
        candidate: { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 'zero' },
      },
    });
    assert.equal(wrongType.code, 40107);
    assert.equal(wrongType.data?.type, 'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR');
    assert.match(wrongType.message, /candidate\.sdpMLineIndex/);
    assert.match(wrongType.message, /\bint\b/);

    const missing = await client.failure('invoke', { object: endpoint, operation: 'processOffer' });
    assert.equal(missing.code, 40107);
    assert.match(missing.message, /offer/);
    assert.match(missing.message, /String/);

    const badEnum = await client.failure('invoke', {
      object: endpoint,
      operation: 'isMediaFlowingIn',
      operationParams: { mediaType: 'SMELL' },
    });
    assert.equal(badEnum.code, 40107);
    assert.match(badEnum.message, /AUDIO, DATA, VIDEO/);

    const wrongObjectType = await client.failure('create', {
      type: 'WebRtcEndpoint',
      constructorParams: { mediaPipeline: endpoint },
    });
    assert.equal(wrongObjectType.code, 40107);
    assert.match(wrongObjectType.message, /mediaPipeline/);

    const conflicting = await client.failure('create', {
      type: 'WebRtcEndpoint',
      constructorParams: { mediaPipeline: pipeline, recvonly: true, sendonly: true },
    });
    assert.equal(conflicting.code, 40107);
    await client.call('release', { object: pipeline });
  });

  it('40007 for connect or keepAlive with an unknown session', async () => {
    const other = await RpcClient.open(server.url);
    const connect = await other.failure('connect', { sessionId: 'f00d' });
    assert.equal(connect.code, 40007);
    assert.equal(connect.data?.type, 'INVALID_SESSION');
    const keepAlive = await other.failure('keepAlive', { sessionId: 'f00d' });
    assert.equal(keepAlive.code, 40007);
    await other.close();
  });

  it('-32601 for a method the protocol does not have', async () => {
    const error = await client.failure('format_disk');
    assert.equal(error.code, -32601);
  });
});

describe('transactions', () => {
  it('runs operations in order, replacing "newref:N" with earlier results', async () => {
    const result = await client.call('transaction', {
      operations: [
        {
          jsonrpc: '2.0',
          id: 0,
          method: 'create',
          params: { type: 'MediaPipeline', constructorParams: {} },
        },
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'create',
          params: { type: 'PassThrough', constructorParams: { mediaPipeline: 'newref:0' } },
        },
        {
          jsonrpc: '2.0',
          id: 2,
          method: 'create',
          params: { type: 'PassThrough', constructorParams: { mediaPipeline: 'newref:0' } },
        },
        {
          jsonrpc: '2.0',
          id: 3,
          method: 'invoke',
          params: {
            object: 'newref:1',
            operation: 'connect',
            operationParams: { sink: 'newref:2' },
          },
        },
        {
          jsonrpc: '2.0',
          id: 4,
          method: 'invoke',
          params: {
            object: 'newref:2',
            operation: 'getSourceConnections',
            operationParams: { mediaType: 'AUDIO' },
          },
        },
      ],
    });
    const responses = result.value as {
      id: number;
      result: { value?: unknown; sessionId: string };
    }[];
    assert.deepEqual(
      responses.map((response) => response.id),
      [0, 1, 2, 3, 4],
    );
    const [pipeline, source, sink] = responses.map((response) => response.result.value as string);
    assert.match(String(source), new RegExp(`^${pipeline}/`));
    assert.deepEqual(
      ((responses[4]?.result.value ?? []) as { source: string; sink: string }[]).map((c) => [
        c.source,
        c.sink,
      ]),
      [[source, sink]],
    );
    assert.equal(responses[0]?.result.sessionId, client.sessionId);
    await client.call('release', { object: pipeline });
  });

  it('stops at the first failing operation and reports it in place', async () => {
    const result = await client.call('transaction', {
      operations: [
        { jsonrpc: '2.0', id: 0, method: 'create', params: { type: 'MediaPipeline' } },
        { jsonrpc: '2.0', id: 1, method: 'create', params: { type: 'Nope' } },
        { jsonrpc: '2.0', id: 2, method: 'create', params: { type: 'MediaPipeline' } },
      ],
    });
    const responses = result.value as {
      id: number;
      error?: { code: number };
      result?: { value: string };
    }[];
    assert.equal(responses.length, 2);
    assert.equal(responses[1]?.error?.code, 40100);
    await client.call('release', { object: responses[0]?.result?.value });
  });

  it('refuses malformed transactions with 40008 before running anything', async () => {
    const pipelinesBefore = ((await client.invoke(MANAGER, 'getPipelines')) as string[]).length;
    const malformed = [
      { operations: 'create everything' },
      {
        operations: [
          { jsonrpc: '2.0', id: 1, method: 'create', params: { type: 'MediaPipeline' } },
        ],
      },
      {
        operations: [
          { jsonrpc: '2.0', id: 0, method: 'create', params: { type: 'MediaPipeline' } },
          {
            jsonrpc: '2.0',
            id: 1,
            method: 'create',
            params: { type: 'PassThrough', constructorParams: { mediaPipeline: 'newref:5' } },
          },
        ],
      },
      {
        operations: [
          { jsonrpc: '2.0', id: 0, method: 'create', params: { type: 'MediaPipeline' } },
          {
            jsonrpc: '2.0',
            id: 1,
            method: 'invoke',
            params: { object: 'newref:x', operation: 'getName' },
          },
        ],
      },
      { operations: [null] },
      {},
    ];
    for (const params of malformed) {
      const error = await client.failure('transaction', params);
      assert.equal(error.code, 40008, JSON.stringify(params));
      assert.equal(error.data?.type, 'MALFORMED_TRANSACTION');
    }
    assert.equal(
      ((await client.invoke(MANAGER, 'getPipelines')) as string[]).length,
      pipelinesBefore,
    );
  });
});

describe('retried requests', () => {
  it('answers a retried create from the cache instead of creating twice', async () => {
    const before = ((await client.invoke(MANAGER, 'getPipelines')) as string[]).length;
    const first = await client.request('create', { type: 'MediaPipeline' }, 'retry-1');
    const second = await client.request('create', { type: 'MediaPipeline' }, 'retry-1');
    assert.deepEqual(second, first);
    const pipelines = (await client.invoke(MANAGER, 'getPipelines')) as string[];
    assert.equal(pipelines.length, before + 1);
    await client.call('release', { object: first.result?.value });
  });

  it('runs a retry that arrives while the first is running only once', async () => {
    const pipeline = await client.create('MediaPipeline');
    const probe = await client.create('EventProbe', { mediaPipeline: pipeline });
    const params = { object: probe, operation: 'slowCount', operationParams: { delayMs: 100 } };
    const [first, second] = await Promise.all([
      client.request('invoke', params, 'slow-1'),
      client.request('invoke', params, 'slow-1'),
    ]);
    assert.equal(first.result?.value, 1);
    assert.equal(second.result?.value, 1);
    const third = await client.request('invoke', params, 'slow-2');
    assert.equal(third.result?.value, 2);
    await client.call('release', { object: pipeline });
  });

  it('does not mistake a different request reusing an id for a retry', async () => {
    const first = await client.request('ping', {}, 'reused');
    const second = await client.request('create', { type: 'MediaPipeline' }, 'reused');
    assert.equal(first.result?.value, 'pong');
    assert.match(String(second.result?.value), /_kurento\.MediaPipeline$/);
    await client.call('release', { object: second.result?.value });
  });
});

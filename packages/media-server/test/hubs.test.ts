import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MediaServer } from '../src/index.js';
import { RpcClient } from './support/RpcClient.js';
import { startServer } from './support/server.js';

const MANAGER = 'manager_ServerManager';

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

describe('hubs through the Kurento Protocol', () => {
  it('lists Dispatcher and DispatcherOneToMany among the elements, HubPort among core', async () => {
    const info = (await client.invoke(MANAGER, 'getInfo')) as {
      modules: { name: string; factories: string[] }[];
    };
    const factories = (name: string) =>
      info.modules.find((module) => module.name === name)?.factories ?? [];
    assert.ok(factories('elements').includes('Dispatcher'));
    assert.ok(factories('elements').includes('DispatcherOneToMany'));
    assert.ok(factories('core').includes('HubPort'));
    assert.ok(!factories('core').includes('Hub'), 'Hub is abstract');
  });

  it('creates ports as children of their hub with ids under the pipeline, released with the hub', async () => {
    const pipeline = await client.create('MediaPipeline');
    const hub = await client.create('DispatcherOneToMany', { mediaPipeline: pipeline });
    const port = await client.create('HubPort', { hub });
    assert.match(port, new RegExp(`^${pipeline}/[0-9a-f-]{36}_kurento\\.HubPort$`));
    assert.equal(await client.invoke(port, 'getParent'), hub);
    assert.equal(await client.invoke(port, 'getMediaPipeline'), pipeline);
    assert.deepEqual(await client.invoke(hub, 'getChildren'), [port]);
    const described = await client.call('describe', { object: hub });
    assert.deepEqual(described.hierarchy, ['kurento.Hub', 'kurento.MediaObject']);
    const portType = await client.call('describe', { object: port });
    assert.deepEqual(portType.hierarchy, ['kurento.MediaElement', 'kurento.MediaObject']);
    await client.call('release', { object: hub });
    assert.equal((await client.failure('describe', { object: port })).code, 40101);
    await client.call('release', { object: pipeline });
  });

  it('connects elements to and from ports, and routes ports in the hub graph', async () => {
    const pipeline = await client.create('MediaPipeline');
    const hub = await client.create('Dispatcher', { mediaPipeline: pipeline });
    const input = await client.create('HubPort', { hub });
    const output = await client.create('HubPort', { hub });
    const source = await client.create('PassThrough', { mediaPipeline: pipeline });
    const sink = await client.create('PassThrough', { mediaPipeline: pipeline });
    await client.invoke(source, 'connect', { sink: input });
    await client.invoke(output, 'connect', { sink });
    await client.invoke(hub, 'connect', { source: input, sink: output });
    const feeding = (await client.invoke(input, 'getSourceConnections')) as { source: string }[];
    assert.deepEqual(
      feeding.map((connection) => connection.source),
      [source, source, source],
    );
    const dot = (await client.invoke(hub, 'getGstreamerDot')) as string;
    assert.ok(dot.includes(`"${input}" -> "${output}"`), dot);
    await client.call('release', { object: pipeline });
  });

  it("refuses a port of another hub as a dispatcher's source or route", async () => {
    const pipeline = await client.create('MediaPipeline');
    const hub = await client.create('DispatcherOneToMany', { mediaPipeline: pipeline });
    const other = await client.create('Dispatcher', { mediaPipeline: pipeline });
    const foreign = await client.create('HubPort', { hub: other });
    const own = await client.create('HubPort', { hub });
    const error = await client.failure('invoke', {
      object: hub,
      operation: 'setSource',
      operationParams: { source: foreign },
    });
    assert.equal(error.code, 40107);
    assert.match(error.message, /not a port of DispatcherOneToMany/);
    const route = await client.failure('invoke', {
      object: other,
      operation: 'connect',
      operationParams: { source: own, sink: foreign },
    });
    assert.equal(route.code, 40107);
    const notAPort = await client.failure('invoke', {
      object: hub,
      operation: 'setSource',
      operationParams: { source: pipeline },
    });
    assert.equal(notAPort.code, 40107);
    await client.invoke(hub, 'setSource', { source: own });
    await client.invoke(hub, 'removeSource');
    await client.call('release', { object: pipeline });
  });
});

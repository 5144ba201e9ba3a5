import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MediaServer } from '../src/index.js';
import { RpcClient } from './support/RpcClient.js';
import { eventually, startServer } from './support/server.js';

const MANAGER = 'manager_ServerManager';
const GRACE_PERIOD_MS = 300;

let server: MediaServer;

before(async () => {
  server = await startServer({ sessionGracePeriodMs: GRACE_PERIOD_MS });
});

after(async () => {
  await server.close();
});

async function pipelines(client: RpcClient): Promise<string[]> {
  return (await client.invoke(MANAGER, 'getPipelines')) as string[];
}

describe('sessions', () => {
  it('resumes a session after a dropped socket: objects and subscriptions survive', async () => {
    const first = await RpcClient.open(server.url);
    const pipeline = await first.create('MediaPipeline');
    const probe = await first.create('EventProbe', { mediaPipeline: pipeline });
    await first.call('subscribe', { object: probe, type: 'IceCandidateFound' });
    const sessionId = first.sessionId as string;
    await first.drop();

    const second = await RpcClient.open(server.url);
    const resumed = await second.call('connect', { sessionId });
    assert.equal(resumed.sessionId, sessionId);
    second.sessionId = sessionId;
    assert.equal((await second.call('describe', { object: pipeline })).type, 'MediaPipeline');

    // Well past the grace period: a resumed session is not released.
    await new Promise((resolve) => setTimeout(resolve, GRACE_PERIOD_MS * 2));
    assert.ok((await pipelines(second)).includes(pipeline));
    await second.invoke(probe, 'raiseCandidate', { candidate: 'after-resume' });
    const event = await second.waitForEvent('IceCandidateFound', probe);
    assert.equal(
      (event.params.value.data.candidate as { candidate: string }).candidate,
      'after-resume',
    );
    await second.call('release', { object: pipeline });
    await second.close();
  });

  it('releases the objects of a session that does not come back within the grace period', async () => {
    const observer = await RpcClient.open(server.url);
    const kept = await observer.create('MediaPipeline');

    const leaving = await RpcClient.open(server.url);
    const pipeline = await leaving.create('MediaPipeline');
    await leaving.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    const sessionId = leaving.sessionId as string;
    await leaving.drop();

    assert.ok((await pipelines(observer)).includes(pipeline), 'kept during the grace period');
    await eventually(
      async () => ((await pipelines(observer)).includes(pipeline) ? undefined : true),
      'the abandoned pipeline is released',
    );
    assert.ok(
      (await pipelines(observer)).includes(kept),
      "another session's pipeline is untouched",
    );
    const error = await observer.failure('connect', { sessionId });
    assert.equal(error.code, 40007);
    assert.ok(!((await observer.invoke(MANAGER, 'getSessions')) as string[]).includes(sessionId));
    await observer.call('release', { object: kept });
    await observer.close();
  });

  it('keeps an object another session holds by ref, until that session lets go', async () => {
    const owner = await RpcClient.open(server.url);
    const pipeline = await owner.create('MediaPipeline');
    const other = await RpcClient.open(server.url);
    await other.call('ref', { object: pipeline });

    await owner.call('closeSession');
    assert.ok((await pipelines(other)).includes(pipeline), 'still held by the other session');
    await other.call('unref', { object: pipeline });
    assert.ok(!(await pipelines(other)).includes(pipeline), 'released when nobody holds it');
    await owner.close();
    await other.close();
  });

  it('closeSession releases what only that session holds and forgets the session', async () => {
    const client = await RpcClient.open(server.url);
    const pipeline = await client.create('MediaPipeline');
    const sessionId = client.sessionId as string;
    await client.call('closeSession');
    const observer = await RpcClient.open(server.url);
    assert.ok(!(await pipelines(observer)).includes(pipeline));
    assert.equal((await observer.failure('keepAlive', { sessionId })).code, 40007);
    await client.close();
    await observer.close();
  });

  it('lets any session use an object by id, and keeps one session’s errors to itself', async () => {
    const alice = await RpcClient.open(server.url);
    const bob = await RpcClient.open(server.url);
    const pipeline = await alice.create('MediaPipeline');
    const element = await alice.create('PassThrough', { mediaPipeline: pipeline });
    assert.equal(await bob.invoke(element, 'getMediaPipeline'), pipeline);
    await bob.failure('invoke', {
      object: element,
      operation: 'connect',
      operationParams: { sink: 42 },
    });
    await bob.failure('create', {
      type: 'PassThrough',
      constructorParams: { mediaPipeline: element },
    });
    assert.deepEqual(await alice.invoke(pipeline, 'getChildren'), [element]);
    assert.notEqual(alice.sessionId, bob.sessionId);
    await alice.call('release', { object: pipeline });
    await alice.close();
    await bob.close();
  });

  it('keepAlive answers for a live session', async () => {
    const client = await RpcClient.open(server.url);
    await client.call('connect');
    const result = await client.call('keepAlive');
    assert.equal(result.sessionId, client.sessionId);
    await client.close();
  });
});

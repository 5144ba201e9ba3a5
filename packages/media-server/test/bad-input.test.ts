import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { MediaServer } from '../src/index.js';
import { RpcClient, type RpcResponse } from './support/RpcClient.js';
import { startServer } from './support/server.js';

const MAX_MESSAGE_BYTES = 4096;

let server: MediaServer;
/** A session opened before the abuse starts, which must come out of it untouched. */
let bystander: RpcClient;
let bystanderPipeline: string;

before(async () => {
  server = await startServer({ maxMessageBytes: MAX_MESSAGE_BYTES });
  bystander = await RpcClient.open(server.url);
  bystanderPipeline = await bystander.create('MediaPipeline');
});

after(async () => {
  await bystander.close();
  await server.close();
});

/** Sends a raw frame and returns the next answer the server sends on that socket. */
async function answerTo(
  client: RpcClient,
  frame: string | Buffer,
  binary = false,
): Promise<RpcResponse> {
  const from = client.received.length;
  client.sendRaw(frame, binary);
  return (await client.waitFor(
    (message) => 'error' in message || 'result' in message,
    from,
  )) as RpcResponse;
}

describe('bad input', () => {
  it('answers frames that are not JSON with -32700 and keeps the connection', async () => {
    const client = await RpcClient.open(server.url);
    for (const garbage of [
      '}{',
      'ping',
      '{"jsonrpc":"2.0","id":1,"method":"ping"',
      '\u0000\u0001',
      '',
    ]) {
      const answer = await answerTo(client, garbage);
      assert.equal(answer.error?.code, -32700, JSON.stringify(garbage));
      assert.equal(answer.id, null);
      assert.equal(answer.error?.data?.type, 'PARSE_ERROR');
    }
    assert.equal((await client.call('ping')).value, 'pong');
    await client.close();
  });

  it('answers JSON that is not a request with -32600', async () => {
    const client = await RpcClient.open(server.url);
    const invalid = [
      '[]',
      '[{"jsonrpc":"2.0","id":1,"method":"ping"}]',
      '"ping"',
      '42',
      'null',
      '{"jsonrpc":"1.0","id":1,"method":"ping"}',
      '{"id":1,"method":"ping"}',
      '{"jsonrpc":"2.0","id":1,"method":5}',
      '{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}',
      '{"jsonrpc":"2.0","id":1}',
    ];
    for (const frame of invalid) {
      const answer = await answerTo(client, frame);
      assert.equal(answer.error?.code, -32600, frame);
      assert.equal(answer.error?.data?.type, 'INVALID_REQUEST');
    }
    await client.close();
  });

  it('answers params of the wrong JSON type with -32602 or 40107, naming the field', async () => {
    const client = await RpcClient.open(server.url);
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ method: 'create', params: [1, 2] }, -32602, /params/],
      [{ method: 'create', params: { type: 7 } }, -32602, /type/],
      [{ method: 'create', params: {} }, -32602, /type/],
      [{ method: 'invoke', params: { object: 123, operation: 'getName' } }, -32602, /object/],
      [{ method: 'invoke', params: { object: 'manager_ServerManager' } }, -32602, /operation/],
      [{ method: 'subscribe', params: { object: 'manager_ServerManager' } }, -32602, /type/],
      [{ method: 'ping', params: { sessionId: 42 } }, -32602, /sessionId/],
      [
        { method: 'create', params: { type: 'MediaPipeline', constructorParams: 'x' } },
        40107,
        /constructorParams/,
      ],
      [
        {
          method: 'invoke',
          params: { object: 'manager_ServerManager', operation: 'getKmd', operationParams: [] },
        },
        40107,
        /operationParams/,
      ],
      [
        {
          method: 'invoke',
          params: {
            object: 'manager_ServerManager',
            operation: 'getKmd',
            operationParams: { moduleName: null },
          },
        },
        40107,
        /moduleName/,
      ],
    ];
    let id = 1000;
    for (const [request, code, message] of cases) {
      const answer = await answerTo(
        client,
        JSON.stringify({ jsonrpc: '2.0', id: id++, ...request }),
      );
      assert.equal(answer.error?.code, code, JSON.stringify(request));
      assert.match(answer.error?.message ?? '', message);
    }
    await client.close();
  });

  it('does not reach object prototypes through names from the wire', async () => {
    const client = await RpcClient.open(server.url);
    assert.equal((await client.failure('__proto__')).code, -32601);
    assert.equal((await client.failure('create', { type: '__proto__' })).code, 40100);
    assert.equal((await client.failure('create', { type: 'toString' })).code, 40100);
    assert.equal((await client.failure('describe', { object: '__proto__' })).code, 40101);
    for (const operation of ['__proto__', 'constructor', 'toString', 'release', 'onRelease']) {
      const error = await client.failure('invoke', { object: bystanderPipeline, operation });
      assert.equal(error.code, 40105, operation);
    }
    assert.equal(
      (await client.failure('subscribe', { object: bystanderPipeline, type: 'constructor' })).code,
      40106,
    );
    await client.close();
  });

  it('reads binary frames as UTF-8 JSON (kurento-client sends them) and refuses other bytes', async () => {
    const client = await RpcClient.open(server.url);
    const request = Buffer.from('{"jsonrpc":"2.0","id":"binary","method":"ping"}');
    const answer = await answerTo(client, request, true);
    assert.equal(answer.id, 'binary');
    assert.equal(answer.result?.value, 'pong');
    const garbage = await answerTo(client, Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3]), true);
    assert.equal(garbage.error?.code, -32700);
    assert.match(garbage.error?.message ?? '', /UTF-8/);
    assert.equal((await client.call('ping')).value, 'pong');
    await client.close();
  });

  it('refuses an oversized message with a clear error and keeps the connection', async () => {
    const client = await RpcClient.open(server.url);
    const padding = 'x'.repeat(MAX_MESSAGE_BYTES * 2);
    const answer = await answerTo(
      client,
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { padding } }),
    );
    assert.equal(answer.error?.code, -32600);
    assert.equal(answer.error?.data?.type, 'MESSAGE_TOO_LARGE');
    assert.match(answer.error?.message ?? '', new RegExp(`limit of ${MAX_MESSAGE_BYTES} bytes`));
    assert.match(answer.error?.message ?? '', /--max-message-size/);
    assert.equal((await client.call('ping')).value, 'pong');
    await client.close();
  });

  it('closes the socket on a frame far beyond the limit (1009) without harming the server', async () => {
    const socket = new WebSocket(server.url);
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('x'.repeat(MAX_MESSAGE_BYTES * 10));
    assert.equal(await closed, 1009);
  });

  it('refuses upgrades on other paths with 404', async () => {
    const wrongPath = server.url.replace('/kurento', '/other');
    await assert.rejects(RpcClient.open(wrongPath), /HTTP 404/);
  });

  it('survives clients that vanish mid-request', async () => {
    for (let index = 0; index < 20; index += 1) {
      const client = await RpcClient.open(server.url);
      client.send({ jsonrpc: '2.0', id: 1, method: 'create', params: { type: 'MediaPipeline' } });
      client.send({
        jsonrpc: '2.0',
        id: 2,
        method: 'invoke',
        params: {
          object: 'manager_ServerManager',
          operation: 'getUsedCpu',
          operationParams: { interval: 20 },
        },
      });
      await client.drop();
    }
  });

  it('answers every one of 500 random requests exactly once', async () => {
    let seed = 12345;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
    const anyValue = (depth = 0): unknown =>
      pick([
        () => null,
        () => Math.floor(random() * 1e6) - 5e5,
        () => random(),
        () =>
          pick([
            '',
            'newref:0',
            'newref:-1',
            bystanderPipeline,
            'manager_ServerManager',
            '__proto__',
            'AUDIO',
          ]),
        () => random() < 0.5,
        () => (depth > 2 ? [] : [anyValue(depth + 1), anyValue(depth + 1)]),
        () =>
          depth > 2
            ? {}
            : { object: anyValue(depth + 1), type: anyValue(depth + 1), sink: anyValue(depth + 1) },
      ])();
    const methods = [
      'ping',
      'connect',
      'create',
      'invoke',
      'describe',
      'subscribe',
      'unsubscribe',
      'release',
      'transaction',
      'keepAlive',
      'ref',
      'unref',
      'closeSession',
      'nope',
    ];
    const operations = [
      'getName',
      'connect',
      'disconnect',
      'getChildren',
      'addTag',
      'processOffer',
      'getTag',
      'x',
    ];
    const client = await RpcClient.open(server.url);
    const requests: Promise<RpcResponse>[] = [];
    for (let index = 0; index < 500; index += 1) {
      const method = pick(methods);
      const params: Record<string, unknown> = {
        object: pick([bystanderPipeline, 'manager_ServerManager', anyValue()]),
        operation: pick(operations),
        operationParams: anyValue(),
        type: pick(['MediaPipeline', 'PassThrough', 'WebRtcEndpoint', 'Error', anyValue()]),
        constructorParams: anyValue(),
        operations:
          random() < 0.5
            ? anyValue()
            : [{ jsonrpc: '2.0', id: 0, method: pick(methods), params: anyValue() }],
        subscription: anyValue(),
      };
      // Never release the bystander's pipeline: that would be a legitimate request, not bad input.
      if (
        method === 'release' ||
        method === 'unref' ||
        method === 'closeSession' ||
        method === 'transaction'
      ) {
        params.object = 'not-the-bystander';
        params.operations = [];
      }
      requests.push(client.request(method, params, `fuzz-${index}`));
    }
    const answers = await Promise.all(requests);
    assert.equal(answers.length, 500);
    for (const answer of answers) assert.ok(answer.result || answer.error);
    const fuzzAnswers = client.received.filter(
      (message) => 'id' in message && String(message.id).startsWith('fuzz-'),
    );
    assert.equal(fuzzAnswers.length, 500, 'one answer per request, no duplicates');
    await client.close();
  });

  it('still answers ping afterwards, and serves the session that was there all along', async () => {
    assert.equal((await bystander.call('ping')).value, 'pong');
    assert.equal(
      (await bystander.call('describe', { object: bystanderPipeline })).type,
      'MediaPipeline',
    );
    const element = await bystander.create('PassThrough', { mediaPipeline: bystanderPipeline });
    assert.deepEqual(await bystander.invoke(bystanderPipeline, 'getChildren'), [element]);
    const fresh = await RpcClient.open(server.url);
    assert.equal((await fresh.call('ping')).value, 'pong');
    await fresh.close();
  });
});

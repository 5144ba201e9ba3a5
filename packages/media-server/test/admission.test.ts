import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MediaServer } from '../src/index.js';
import { RpcClient } from './support/RpcClient.js';
import { eventually, startServer } from './support/server.js';

/** Load is averaged over 5 s: allow twice that for it to rise above the limit or fall below. */
const SETTLE_MS = 10_000;

/** Keeps this process's event loop busy `share` of the time until stopped. */
function occupyEventLoop(share: number): () => void {
  const periodMs = 50;
  const timer = setInterval(() => {
    const until = performance.now() + periodMs * share;
    while (performance.now() < until) {
      // busy: this is the load admission control must notice
    }
  }, periodMs);
  return () => clearInterval(timer);
}

let server: MediaServer;
let client: RpcClient;
let pipeline: string;

before(async () => {
  server = await startServer({ maxLoad: 0.6 });
  client = await RpcClient.open(server.url);
  pipeline = await client.create('MediaPipeline');
});

after(async () => {
  await client.close();
  await server.close();
});

/** A create request that may be refused: the response, error or result. */
function requestWebRtcEndpoint() {
  return client.request('create', {
    type: 'WebRtcEndpoint',
    constructorParams: { mediaPipeline: pipeline },
  });
}

describe('admission control', () => {
  it('refuses new endpoints with NOT_ENOUGH_RESOURCES while the server is near saturation, and admits them again after', async () => {
    await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });

    const stopLoad = occupyEventLoop(0.95);
    try {
      const refused = await eventually(
        async () => (await requestWebRtcEndpoint()).error,
        'a refusal under sustained load',
        SETTLE_MS,
      );
      assert.equal(refused.code, 40009);
      assert.equal(refused.data?.type, 'NOT_ENOUGH_RESOURCES');
      assert.match(refused.message, /near saturation.*Retry later/);
      // Elements that only route media are still created.
      await client.create('PassThrough', { mediaPipeline: pipeline });
    } finally {
      stopLoad();
    }

    await eventually(
      async () => (await requestWebRtcEndpoint()).result,
      'admission once the load is gone',
      SETTLE_MS,
    );
  });
});

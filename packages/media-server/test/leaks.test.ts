import assert from 'node:assert/strict';
import { readdirSync, readlinkSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { MediaServer } from '../src/index.js';
import { RpcClient } from './support/RpcClient.js';
import { eventually, startServer } from './support/server.js';

/**
 * Create/release cycles must leave nothing behind: no objects, no UDP sockets, no memory growth
 * beyond noise. The figures are printed; the bounds are loose enough never to flake.
 */

const MANAGER = 'manager_ServerManager';
const CYCLES = 1000;
const NEGOTIATED_CYCLES = 100;
/**
 * Generous bounds: the point is to catch per-cycle leaks (1000 leaked peer connections are far
 * more), not allocator noise. The heap also holds up to 5000 cached answers (20 s) by design.
 */
const MAX_RSS_GROWTH_MB = 80;
const MAX_HEAP_GROWTH_MB = 16;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Open socket file descriptors of this process (the server runs in it). */
function openSockets(): number {
  let sockets = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:')) sockets += 1;
    } catch {
      // The descriptor closed while listing.
    }
  }
  return sockets;
}

interface MemoryFigures {
  readonly rss: number;
  readonly heap: number;
}

/** After a full collection; the test client's own message log is emptied first. */
function memory(): MemoryFigures {
  client.received.length = 0;
  client.events.length = 0;
  collectGarbage();
  const usage = process.memoryUsage();
  return { rss: usage.rss / 2 ** 20, heap: usage.heapUsed / 2 ** 20 };
}

function describeGrowth(before: MemoryFigures, after: MemoryFigures): string {
  return `RSS ${before.rss.toFixed(1)} → ${after.rss.toFixed(1)} MB, heap ${before.heap.toFixed(1)} → ${after.heap.toFixed(1)} MB`;
}

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

async function cycle(negotiate: boolean): Promise<void> {
  const pipeline = await client.create('MediaPipeline');
  const endpoint = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
  if (negotiate) {
    await client.invoke(endpoint, 'connect', { sink: endpoint });
    await client.invoke(endpoint, 'generateOffer');
    await client.invoke(endpoint, 'gatherCandidates');
  }
  await client.call('release', { object: pipeline });
}

describe('resource leaks', () => {
  it(`${CYCLES} create/release cycles of a pipeline and a WebRtcEndpoint leave nothing behind`, async () => {
    // Warm-up: the allocator's arenas and the answer cache reach their working size first.
    for (let index = 0; index < CYCLES; index += 1) await cycle(false);
    const socketsBefore = openSockets();
    const before = memory();
    const started = performance.now();
    for (let index = 0; index < CYCLES; index += 1) {
      await cycle(false);
      if (index % 100 === 0) client.received.length = 0;
    }
    const seconds = (performance.now() - started) / 1000;
    const after = memory();
    const socketsAfter = openSockets();
    console.log(
      `${CYCLES} cycles in ${seconds.toFixed(1)} s; ${describeGrowth(before, after)}; sockets ${socketsBefore} → ${socketsAfter}`,
    );
    assert.deepEqual(await client.invoke(MANAGER, 'getPipelines'), []);
    assert.equal(server.objectCount, 1, 'only the ServerManager is left');
    assert.equal(socketsAfter, socketsBefore);
    assert.ok(
      after.rss - before.rss < MAX_RSS_GROWTH_MB,
      `RSS grew ${(after.rss - before.rss).toFixed(1)} MB`,
    );
    assert.ok(
      after.heap - before.heap < MAX_HEAP_GROWTH_MB,
      `heap grew ${(after.heap - before.heap).toFixed(1)} MB`,
    );
  });

  it(`${NEGOTIATED_CYCLES} negotiated endpoints (ICE sockets bound) release every UDP socket`, async () => {
    const socketsBefore = openSockets();
    const before = memory();
    let peakSockets = socketsBefore;
    for (let index = 0; index < NEGOTIATED_CYCLES; index += 1) {
      const pipeline = await client.create('MediaPipeline');
      const endpoint = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
      await client.invoke(endpoint, 'generateOffer');
      await client.invoke(endpoint, 'gatherCandidates');
      peakSockets = Math.max(peakSockets, openSockets());
      await client.call('release', { object: pipeline });
    }
    const socketsAfter = await eventually(() => {
      const sockets = openSockets();
      return sockets <= socketsBefore ? sockets : undefined;
    }, 'every ICE socket closed');
    console.log(
      `${NEGOTIATED_CYCLES} negotiated cycles: sockets ${socketsBefore} → peak ${peakSockets} → ${socketsAfter}; ${describeGrowth(before, memory())}`,
    );
    assert.ok(peakSockets > socketsBefore, 'negotiation did bind ICE sockets (the test can fail)');
    assert.equal(server.objectCount, 1);
  });
});

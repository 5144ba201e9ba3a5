import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createMediaServer, type MediaServer } from '../../media-server/src/index.js';
import {
  connectAcrossServers,
  isMediaServerError,
  type MediaClient,
  MediaClientError,
  MediaServerPool,
  type MediaServerPoolEvents,
} from '../src/index.js';
import { BrowserPeer } from './browserPeer.js';
import { nextValue, until } from './helpers.js';

/** Two real media servers, each in this process on its own port. */
let first: MediaServer;
let second: MediaServer;

before(async () => {
  first = await createMediaServer({ port: 0, logLevel: 'silent' });
  second = await createMediaServer({ port: 0, logLevel: 'silent' });
});
after(async () => {
  await first.close();
  await second.close();
});

const poolOptions = { pingInterval: 0, loadInterval: 300, downAfter: 500 };

describe('MediaServerPool', () => {
  test('pick({ except }) passes over the servers named, and fails clearly when none is left', async () => {
    const pool = await MediaServerPool.connect([first.url, second.url], poolOptions);
    try {
      const firstClient = pool.servers()[0]?.client;
      assert.ok(firstClient);
      for (let pick = 0; pick < 3; pick++) {
        assert.equal(pool.pick({ except: [firstClient] }).url, second.url);
      }
      const secondClient = pool.servers()[1]?.client;
      assert.ok(secondClient);
      assert.throws(
        () => pool.pick({ except: [firstClient, secondClient] }),
        (error: unknown) =>
          error instanceof Error && 'code' in error && error.code === 'NO_MEDIA_SERVER',
      );
    } finally {
      pool.close();
    }
  });

  test('spreads a burst of placements over equally idle servers and reads their load', async () => {
    const pool = await MediaServerPool.connect([first.url, second.url], poolOptions);
    try {
      const picked = [pool.pick(), pool.pick(), pool.pick(), pool.pick()].map(
        (client) => client.url,
      );
      assert.deepEqual(picked.filter((url) => url === first.url).length, 2, picked.join(' '));
      const servers = pool.servers();
      assert.deepEqual(
        servers.map(({ url, available }) => ({ url, available })),
        [
          { url: first.url, available: true },
          { url: second.url, available: true },
        ],
      );
      for (const server of servers) {
        assert.ok((server.usedCpu ?? -1) >= 0, `${server.url} has a CPU reading`);
        assert.ok((server.usedMemoryKiB ?? 0) > 0, `${server.url} has a memory reading`);
      }
    } finally {
      pool.close();
    }
  });

  test('places work elsewhere when a server refuses it with NOT_ENOUGH_RESOURCES', async () => {
    // Admission control refuses endpoints on a server whose event loop is busier than 0.01 %:
    // sharing this test's process, it always is once it has sampled its load.
    const saturated = await createMediaServer({ port: 0, logLevel: 'silent', maxLoad: 0.0001 });
    const pool = await MediaServerPool.connect([saturated.url, second.url], {
      ...poolOptions,
      // Readings would reset the count of recent placements the alternation relies on.
      loadInterval: 60_000,
    });
    try {
      const probe = pool.servers()[0]?.client as MediaClient;
      let refused = false;
      await until(
        () => refused,
        'the saturated server to refuse an endpoint',
        10_000,
        async () => {
          const pipeline = await probe.create('MediaPipeline');
          refused = await pipeline.create('WebRtcEndpoint').then(
            () => false,
            (error: unknown) => isMediaServerError(error, 'NOT_ENOUGH_RESOURCES'),
          );
          await pipeline.release();
        },
      );
      // Picks alternate between equally loaded servers, so a few placements try the saturated
      // one: each such try is refused there and retried on the other.
      const tried: string[] = [];
      const placedOn: string[] = [];
      for (let placement = 0; placement < 4; placement++) {
        placedOn.push(
          await pool.place(async (client) => {
            tried.push(client.url);
            const pipeline = await client.create('MediaPipeline');
            try {
              await pipeline.create('WebRtcEndpoint');
            } catch (error) {
              await pipeline.release();
              throw error;
            }
            return client.url;
          }),
        );
      }
      assert.deepEqual(new Set(placedOn), new Set([second.url]));
      assert.equal(tried.filter((url) => url === saturated.url).length, 1, tried.join(' '));
      // Passed over for the cool-down, whatever its load reading says.
      assert.equal(pool.servers()[0]?.available, false);
      assert.equal(pool.pick().url, second.url);
    } finally {
      pool.close();
      await saturated.close();
    }
  });
  test('takes a server that goes away out, says so, and puts it back when it answers', async () => {
    const leaving = await createMediaServer({ port: 0, logLevel: 'silent' });
    const port = Number(new URL(leaving.url).port);
    const pool = await MediaServerPool.connect([leaving.url, second.url], poolOptions);
    try {
      const down = nextValue<MediaServerPoolEvents['serverDown']>((resolve) =>
        pool.once('serverDown', resolve),
      );
      await leaving.close();
      assert.equal((await down).url, leaving.url);
      assert.deepEqual(
        pool.servers().map(({ available }) => available),
        [false, true],
      );
      for (let pick = 0; pick < 4; pick++) assert.equal(pool.pick().url, second.url);

      const up = nextValue<MediaServerPoolEvents['serverUp']>((resolve) =>
        pool.once('serverUp', resolve),
      );
      const back = await createMediaServer({ port, logLevel: 'silent' });
      try {
        assert.equal((await up).url, leaving.url);
        assert.equal(pool.servers()[0]?.available, true);
      } finally {
        await back.close();
      }
    } finally {
      pool.close();
    }
  });

  test('refuses an empty or duplicated list, and a list of which no server answers', async () => {
    await assert.rejects(MediaServerPool.connect([]), { code: 'INVALID_ARGUMENT' });
    await assert.rejects(MediaServerPool.connect([first.url, first.url]), {
      code: 'INVALID_ARGUMENT',
    });
    await assert.rejects(
      MediaServerPool.connect(['ws://127.0.0.1:1/kurento'], poolOptions),
      (error: unknown) =>
        error instanceof MediaClientError &&
        error.code === 'NO_MEDIA_SERVER' &&
        /None of the media servers answered/.test(error.message),
    );
  });
});

test('connectAcrossServers: a camera published on one server is decoded by a viewer of another', {
  timeout: 120_000,
}, async () => {
  const pool = await MediaServerPool.connect([first.url, second.url], poolOptions);
  const [origin, edge] = pool.servers().map(({ client }) => client as MediaClient) as [
    MediaClient,
    MediaClient,
  ];
  const originPipeline = await origin.create('MediaPipeline');
  const edgePipeline = await edge.create('MediaPipeline');
  const publisher = await originPipeline.create('WebRtcEndpoint', { recvonly: true });
  const viewer = await edgePipeline.create('WebRtcEndpoint');
  const publishing = await BrowserPeer.launch((candidate) => publisher.addIceCandidate(candidate));
  const viewing = await BrowserPeer.launch((candidate) => viewer.addIceCandidate(candidate));
  try {
    for (const [endpoint, browser] of [
      [publisher, publishing],
      [viewer, viewing],
    ] as const) {
      await endpoint.on('IceCandidateFound', ({ candidate }) => {
        void browser.addServerCandidate(candidate);
      });
      await browser.applyAnswer(await endpoint.processOffer(await browser.createOffer()));
      await endpoint.gatherCandidates();
    }
    // The viewer joined before the link: its first frame needs a keyframe from the publisher's
    // browser, asked for across the link.
    const link = await connectAcrossServers(publisher, edgePipeline);
    await link.receiver.connect(viewer);
    let frames = 0;
    await until(
      () => frames >= 30,
      'frames decoded by the viewer on the other server',
      60_000,
      async () => {
        frames = await viewing.decodedVideoFrames();
      },
    );
    await link.release();
    const released = await originPipeline.getChildren();
    assert.deepEqual(
      released.map((child) => child.type),
      ['WebRtcEndpoint'],
      'the link released its sender; the publisher stays',
    );
  } finally {
    await publishing.close();
    await viewing.close();
    await originPipeline.release();
    await edgePipeline.release();
    pool.close();
  }
});

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { MediaServer } from '../../src/index.js';
import { RpcClient } from './RpcClient.js';
import { startServer } from './server.js';

/** A media root with a directory beside it that nothing may reach, and a server on the root. */
export interface MediaRootSuite {
  /** The temporary directory holding both. */
  readonly base: string;
  readonly mediaRoot: string;
  readonly outside: string;
  readonly server: MediaServer;
  readonly client: RpcClient;
  /** A pipeline of `client`, for the suite's elements. */
  readonly pipeline: string;
}

/**
 * Registers before/after hooks that make `<tmp>/root` (the server's media root) and
 * `<tmp>/outside`, run `prepare` on them (links, files) before the server starts, and remove it
 * all afterwards.
 */
export function mediaRootSuite(
  prefix: string,
  prepare: (paths: { mediaRoot: string; outside: string }) => Promise<void> = async () => {},
): MediaRootSuite {
  let started: MediaRootSuite | undefined;
  let base: string | undefined;

  before(async () => {
    base = await mkdtemp(join(tmpdir(), prefix));
    const mediaRoot = join(base, 'root');
    const outside = join(base, 'outside');
    await mkdir(mediaRoot);
    await mkdir(outside);
    await prepare({ mediaRoot, outside });
    const server = await startServer({ mediaRoot });
    const client = await RpcClient.open(server.url);
    const pipeline = await client.create('MediaPipeline');
    started = { base, mediaRoot, outside, server, client, pipeline };
  });

  after(async () => {
    await started?.client.close();
    await started?.server.close();
    if (base) await rm(base, { recursive: true, force: true });
  });

  const current = (): MediaRootSuite => {
    if (!started) throw new Error('the suite has not started: use it inside tests');
    return started;
  };
  return {
    get base() {
      return current().base;
    },
    get mediaRoot() {
      return current().mediaRoot;
    },
    get outside() {
      return current().outside;
    },
    get server() {
      return current().server;
    },
    get client() {
      return current().client;
    },
    get pipeline() {
      return current().pipeline;
    },
  };
}

import { after, before } from 'node:test';
import type { Page } from 'playwright-core';
import type { MediaServer, MediaServerOptions } from '../../src/index.js';
import { BrowserHarness } from '../transport-harness.js';
import { RpcClient } from './RpcClient.js';
import { startServer } from './server.js';

/** What a suite of browser tests shares: one server, one protocol client, one Chromium page. */
export interface BrowserSuite {
  readonly server: MediaServer;
  readonly client: RpcClient;
  readonly page: Page;
}

/**
 * Starts a media server, a Kurento Protocol client and a Chromium page before the calling
 * suite's tests and stops them after; tests keep to their own pipelines and peers.
 */
export function browserSuite(options: MediaServerOptions = {}): BrowserSuite {
  const harness = new BrowserHarness();
  let started: BrowserSuite | undefined;

  before(async () => {
    const server = await startServer(options);
    const client = await RpcClient.open(server.url);
    await harness.start();
    started = { server, client, page: await harness.newPage() };
  });

  after(async () => {
    await started?.client.close();
    await started?.server.close();
    await harness.stop();
  });

  const current = (): BrowserSuite => {
    if (!started) throw new Error('the suite has not started: use it inside tests');
    return started;
  };
  return {
    get server() {
      return current().server;
    },
    get client() {
      return current().client;
    },
    get page() {
      return current().page;
    },
  };
}

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { WebRtcTransport } from '../src/transport/index.js';
import { BrowserHarness, BrowserPeer, LOOPBACK } from './transport-harness.js';

describe('WebRtcTransport with Chromium', () => {
  const harness = new BrowserHarness();
  let page: Page;
  const transports: WebRtcTransport[] = [];
  const newTransport = (options = {}) => {
    const transport = new WebRtcTransport({ ...LOOPBACK, ...options });
    transports.push(transport);
    return transport;
  };

  before(async () => {
    await harness.start();
    page = await harness.newPage();
  });

  after(async () => {
    await Promise.all(transports.map((transport) => transport.close()));
    await harness.stop();
  });

  test('a transport connected to itself sends the browser its own video and audio (loopback)', async () => {
    const transport = newTransport();
    transport.node.connect(transport.node);
    const peer = await BrowserPeer.create(page, 'loopback', {});
    await peer.connectByBrowserOffer(transport);
    const stats = await peer.waitForStats(
      (s) => s.framesDecoded > 10 && s.audioPacketsReceived > 20,
    );
    assert.equal(transport.connectionState, 'CONNECTED');
    assert.ok(stats.framesDecoded > 10);
    await peer.close();
  });
});

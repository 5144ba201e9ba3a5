import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { loadNativeSrtp, WebRtcTransport } from '../src/transport/index.js';
import { BrowserHarness, BrowserPeer, type InboundStats, LOOPBACK } from './transport-harness.js';

const run = promisify(execFile);

/**
 * Publisher page → server → subscriber page with 5 % of the server's UDP datagrams dropped each
 * way, once with the server answering NACKs and once without, in the same run.
 *
 * The loss applies only to the server's own ports (a range no other test binds), so test files
 * running at the same time in the namespace are not affected.
 */
const LOSS_PERCENT = 5;
const MEASURE_MS = 10_000;
const PUBLISHER_PORTS = { min: 20_000, max: 20_049 };
const SUBSCRIBER_PORTS = { min: 20_050, max: 20_099 };
const NFT_TABLE = 'medley_loss';

async function nft(...args: string[]): Promise<void> {
  await run('nft', args);
}

async function startLoss(): Promise<void> {
  const ports = `${PUBLISHER_PORTS.min}-${SUBSCRIBER_PORTS.max}`;
  await nft('add', 'table', 'inet', NFT_TABLE);
  await nft('add', 'chain', 'inet', NFT_TABLE, 'output', '{ type filter hook output priority 0; }');
  // Every datagram to or from a server port is dropped with this probability (each crosses the
  // output hook once: loopback has no forwarding).
  for (const direction of ['sport', 'dport']) {
    await nft(
      'add',
      'rule',
      'inet',
      NFT_TABLE,
      'output',
      `udp ${direction} ${ports} numgen random mod 100 < ${LOSS_PERCENT} drop`,
    );
  }
}

async function stopLoss(): Promise<void> {
  await nft('delete', 'table', 'inet', NFT_TABLE).catch(() => {});
}

interface LossRun {
  readonly framesDecoded: number;
  readonly packetsReceived: number;
  readonly packetsLost: number;
  readonly freezeCount: number;
  readonly freezeSeconds: number;
  readonly nacksSent: number;
  readonly plisSent: number;
  readonly retransmitted: number;
  /** PLIs the publisher's browser received from the server while the loss lasted. */
  readonly publisherPlis: number;
}

function difference(
  before: InboundStats,
  after: InboundStats,
): Omit<LossRun, 'retransmitted' | 'publisherPlis'> {
  return {
    framesDecoded: after.framesDecoded - before.framesDecoded,
    packetsReceived: after.videoPacketsReceived - before.videoPacketsReceived,
    packetsLost: after.videoPacketsLost - before.videoPacketsLost,
    freezeCount: after.freezeCount - before.freezeCount,
    freezeSeconds: after.totalFreezesDuration - before.totalFreezesDuration,
    nacksSent: after.nacksSent - before.nacksSent,
    plisSent: after.plisSent - before.plisSent,
  };
}

async function retransmittedBy(transport: WebRtcTransport): Promise<number> {
  let total = 0;
  for (const entry of (await transport.getStats()).values()) {
    if (entry.type === 'outbound-rtp' && typeof entry.retransmittedPacketsSent === 'number')
      total += entry.retransmittedPacketsSent;
  }
  return total;
}

describe('video through the server over a lossy network', { skip: skipReason() }, () => {
  const harness = new BrowserHarness();
  let page: Page;

  before(async () => {
    await stopLoss();
    await harness.start();
    page = await harness.newPage();
  });

  after(async () => {
    await stopLoss();
    await harness.stop();
  });

  async function measure(name: string, answerNacks: boolean): Promise<LossRun> {
    const publisherTransport = new WebRtcTransport({
      ...LOOPBACK,
      recvonly: true,
      portRange: PUBLISHER_PORTS,
    });
    const subscriberTransport = new WebRtcTransport({
      ...LOOPBACK,
      sendonly: true,
      portRange: SUBSCRIBER_PORTS,
      answerNacks,
      // Retransmissions through the server's default path (the addon where it is built).
      nativeSrtp: nativeSrtpIfBuilt(),
    });
    try {
      const publisher = await BrowserPeer.create(page, `${name}-publisher`, {
        receive: false,
        audio: false,
        videoSize: [1280, 720],
      });
      const subscriber = await BrowserPeer.create(page, `${name}-subscriber`, {
        send: false,
        audio: false,
      });
      await publisher.connectByBrowserOffer(publisherTransport);
      await subscriber.connectByBrowserOffer(subscriberTransport);
      publisherTransport.node.connect(subscriberTransport.node);
      await subscriber.waitForStats((stats) => stats.framesDecoded > 30);
      const before = await subscriber.stats();
      const publisherBefore = await publisher.stats();
      await startLoss();
      await sleep(MEASURE_MS);
      await stopLoss();
      const result = {
        ...difference(before, await subscriber.stats()),
        retransmitted: await retransmittedBy(subscriberTransport),
        publisherPlis: (await publisher.stats()).pliReceived - publisherBefore.pliReceived,
      };
      await publisher.close();
      await subscriber.close();
      return result;
    } finally {
      await stopLoss();
      await publisherTransport.close();
      await subscriberTransport.close();
    }
  }

  test('NACKs answered from the send history keep 720p decoding through 5 % loss', async (t) => {
    const without = await measure('without-nack', false);
    const withNacks = await measure('with-nack', true);
    t.diagnostic(`without NACK answers: ${JSON.stringify(without)}`);
    t.diagnostic(`with NACK answers: ${JSON.stringify(withNacks)}`);

    assert.equal(without.retransmitted, 0, 'the disabled responder resent nothing');
    assert.ok(withNacks.retransmitted > 0, 'the server resent NACKed packets');
    assert.ok(without.nacksSent > 0 && withNacks.nacksSent > 0, 'the loss made the browser NACK');
    assert.ok(
      withNacks.framesDecoded > (MEASURE_MS / 1000) * 10,
      `decoding went on: ${withNacks.framesDecoded} frames`,
    );
    // Losses on the publisher's leg are recovered by werift's NACKs in both runs; only the
    // subscriber's leg differs, and there the responder must recover nearly everything.
    assert.ok(
      withNacks.packetsLost * 4 <= without.packetsLost,
      `lost ${withNacks.packetsLost} packets with the responder, ${without.packetsLost} without`,
    );
    assert.ok(
      withNacks.packetsLost <= Math.max(2, withNacks.packetsReceived * 0.01),
      `with the responder ${withNacks.packetsLost} of ${withNacks.packetsReceived} packets stayed lost`,
    );
    // A loaded machine can stall frames on its own (a CI neighbour, not the network), so freezes
    // are compared with the run without answers rather than counted.
    assert.ok(
      withNacks.freezeSeconds * 4 <= without.freezeSeconds,
      `frozen ${withNacks.freezeSeconds} s (${withNacks.freezeCount} freezes) with the responder, ${without.freezeSeconds} s without`,
    );
    assert.ok(withNacks.framesDecoded > without.framesDecoded);
    // Unrecovered losses make the subscriber ask for keyframes: the server passes them on to
    // the publisher, merged to at most one per 500 ms.
    assert.ok(without.plisSent > 0, 'the subscriber asked for keyframes');
    assert.ok(without.publisherPlis > 0, 'the publisher was asked for keyframes');
    assert.ok(without.publisherPlis <= MEASURE_MS / 500 + 1, `${without.publisherPlis} PLIs`);
  });
});

function nativeSrtpIfBuilt() {
  const loaded = loadNativeSrtp();
  return 'binding' in loaded ? loaded.binding : undefined;
}

/** The loss rule changes the network it runs in: only ever inside the test namespace. */
function skipReason(): string | false {
  if (process.env.MEDLEY_ISOLATED !== '1')
    return 'needs the loopback-only namespace (run through scripts/isolated.sh)';
  return false;
}

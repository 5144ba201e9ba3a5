import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigurationError, type MediaServer } from '../src/index.js';
import { parseCommandLine } from '../src/server/commandLine.js';
import { resolveOptions } from '../src/server/options.js';
import { browserSuite } from './support/browserSuite.js';
import {
  type PrometheusSample,
  parsePrometheusText,
  samplesOf,
  sampleValue,
  scrape,
} from './support/prometheusText.js';
import { RpcClient } from './support/RpcClient.js';
import { eventually, startServer } from './support/server.js';
import { BrowserPeer } from './transport-harness.js';

/**
 * The media server's Prometheus endpoint, scraped over HTTP while a real Chromium page sends
 * its fake camera and microphone through a loopback WebRtcEndpoint (and into a recorder).
 */

const mediaRoot = mkdtempSync(join(tmpdir(), 'medley-metrics-'));
const suite = browserSuite({ metricsPort: 0, mediaRoot });
after(() => rm(mediaRoot, { recursive: true, force: true }));

function metricsUrl(server: MediaServer): string {
  assert.ok(server.metricsPort, 'the server serves metrics');
  return `http://127.0.0.1:${server.metricsPort}/metrics`;
}

const directions = ['received', 'sent'] as const;
const kinds = ['audio', 'video'] as const;

/** Packets or bytes of every direction and kind, as `direction/kind` → value. */
function traffic(samples: readonly PrometheusSample[], name: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const direction of directions) {
    for (const kind of kinds)
      values.set(`${direction}/${kind}`, sampleValue(samples, name, { direction, kind }));
  }
  return values;
}

/** The TCP ports listening in this network namespace (scripts/isolated.sh gives the test its own). */
function listeningPorts(): Set<number> {
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === '0A' && local) ports.add(Number.parseInt(local.split(':')[1] ?? '', 16));
    }
  }
  return ports;
}

/** The ports that listen now and did not in `before`. */
function portsOpenedSince(before: ReadonlySet<number>): number[] {
  return [...listeningPorts()].filter((port) => !before.has(port)).sort((a, b) => a - b);
}

describe('Prometheus metrics', () => {
  it('serves GET /metrics in the text format, and says so on other paths and methods', async () => {
    const url = metricsUrl(suite.server);
    const response = await fetch(url);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.match(
      text,
      /# HELP medley_rtp_packets_total .+\n# TYPE medley_rtp_packets_total counter/,
    );
    assert.match(text, /# TYPE medley_media_pipelines gauge/);
    // prom-client's default process metrics are served beside the server's own.
    assert.match(text, /# TYPE process_cpu_user_seconds_total counter/);
    assert.match(text, /# TYPE nodejs_eventloop_lag_seconds gauge/);
    const samples = parsePrometheusText(text);
    assert.ok(sampleValue(samples, 'medley_event_loop_busy_seconds_total', { loop: 'main' }) > 0);
    const utilization = sampleValue(samples, 'medley_event_loop_utilization', { loop: 'main' });
    assert.ok(utilization >= 0 && utilization <= 1, `utilization ${utilization}`);

    const elsewhere = await fetch(url.replace('/metrics', '/kurento'));
    assert.equal(elsewhere.status, 404);
    assert.match(await elsewhere.text(), /GET \/metrics/);
    const posted = await fetch(url, { method: 'POST', body: 'x' });
    assert.equal(posted.status, 405);
    assert.equal(posted.headers.get('allow'), 'GET, HEAD');
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
  });

  it('counts a real call: endpoints by type, packets and bytes both ways growing, recording bytes, PLIs; after release pipelines are 0 and totals stay', async () => {
    const { server, client, page } = suite;
    const url = metricsUrl(server);
    const pipeline = await client.create('MediaPipeline');
    const webRtc = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    const recorder = await client.create('RecorderEndpoint', {
      mediaPipeline: pipeline,
      uri: 'metrics-call.webm',
    });
    await client.invoke(webRtc, 'connect', { sink: webRtc });
    await client.invoke(webRtc, 'connect', { sink: recorder });
    await client.invoke(recorder, 'record');
    const peer = await BrowserPeer.create(page, 'metrics', {});
    await peer.connectToEndpoint(client, webRtc);
    const flowing = await peer.waitForStats(
      (stats) => stats.framesDecoded > 5 && stats.audioPacketsReceived > 20,
    );

    const during = await scrape(url);
    assert.equal(sampleValue(during, 'medley_media_pipelines'), 1);
    assert.equal(sampleValue(during, 'medley_media_elements', { type: 'WebRtcEndpoint' }), 1);
    assert.equal(sampleValue(during, 'medley_media_elements', { type: 'RecorderEndpoint' }), 1);
    assert.equal(sampleValue(during, 'medley_media_elements', { type: 'PlayerEndpoint' }), 0);
    assert.equal(sampleValue(during, 'medley_kurento_sessions'), 1);
    assert.equal(sampleValue(during, 'medley_kurento_connections'), 1);
    const packetsDuring = traffic(during, 'medley_rtp_packets_total');
    const bytesDuring = traffic(during, 'medley_rtp_bytes_total');
    for (const [series, value] of packetsDuring) assert.ok(value > 0, `${series} packets ${value}`);

    // More media reaches the page: the server must have received and sent more since.
    const later = await peer.waitForStats(
      (stats) =>
        stats.videoPacketsReceived > flowing.videoPacketsReceived + 100 &&
        stats.audioPacketsReceived > flowing.audioPacketsReceived + 50,
    );
    const afterMore = await scrape(url);
    const packetsAfter = traffic(afterMore, 'medley_rtp_packets_total');
    const bytesAfter = traffic(afterMore, 'medley_rtp_bytes_total');
    for (const [series, value] of packetsAfter) {
      assert.ok(value > (packetsDuring.get(series) ?? 0), `${series} packets grew: ${value}`);
      assert.ok(
        (bytesAfter.get(series) ?? 0) > (bytesDuring.get(series) ?? 0),
        `${series} bytes grew`,
      );
    }
    // What the page counts received, the server counts sent (plus any it resent).
    const resent = sampleValue(afterMore, 'medley_rtp_retransmitted_packets_total');
    assert.ok(
      (packetsAfter.get('sent/video') ?? 0) + resent >= later.videoPacketsReceived,
      `server sent ${packetsAfter.get('sent/video')} video packets, the page received ${later.videoPacketsReceived}`,
    );
    assert.ok((packetsAfter.get('sent/audio') ?? 0) >= later.audioPacketsReceived);

    // The recorder asks the page for keyframes by PLI; bytes reach its file.
    await eventually(
      async () => {
        await client.invoke(webRtc, 'requestKeyframe');
        const samples = await scrape(url);
        const plis = sampleValue(samples, 'medley_rtcp_keyframe_requests_total', {
          direction: 'sent',
          type: 'pli',
        });
        const written = sampleValue(samples, 'medley_recording_bytes_written_total');
        return plis >= 1 && written > 0 ? true : undefined;
      },
      'PLIs sent and recording bytes written are counted',
      15_000,
    );

    await client.invoke(recorder, 'stopAndWait');
    await client.call('release', { object: pipeline });
    await peer.close();
    const released = await eventually(async () => {
      const samples = await scrape(url);
      return sampleValue(samples, 'medley_media_pipelines') === 0 ? samples : undefined;
    }, 'the pipeline count drops to 0');
    assert.equal(sampleValue(released, 'medley_media_elements', { type: 'WebRtcEndpoint' }), 0);
    assert.equal(sampleValue(released, 'medley_media_elements', { type: 'RecorderEndpoint' }), 0);
    // Counters keep what released endpoints carried: Prometheus would read a drop as a restart.
    const packetsReleased = traffic(released, 'medley_rtp_packets_total');
    for (const [series, value] of packetsReleased) {
      assert.ok(value >= (packetsAfter.get(series) ?? 0), `${series} kept after release`);
    }
    assert.ok(sampleValue(released, 'medley_recording_bytes_written_total') > 0);
  });

  it('counts an admission refusal, in the refusing server only', async () => {
    // A limit so low that any measured load is above it: the first endpoint is refused.
    const busy = await startServer({ maxLoad: 1e-9, metricsPort: 0 });
    const rpc = await RpcClient.open(busy.url);
    try {
      await eventually(
        async () =>
          sampleValue(await scrape(metricsUrl(busy)), 'medley_admission_load') > 1e-9
            ? true
            : undefined,
        'admission control has measured some load',
        15_000,
      );
      const pipeline = await rpc.create('MediaPipeline');
      const refused = await rpc.failure('create', {
        type: 'WebRtcEndpoint',
        constructorParams: { mediaPipeline: pipeline },
      });
      assert.equal(refused.code, 40009);
      const samples = await scrape(metricsUrl(busy));
      assert.equal(sampleValue(samples, 'medley_admission_refusals_total'), 1);
      assert.equal(sampleValue(samples, 'medley_admission_max_load'), 1e-9);
      assert.equal(sampleValue(samples, 'medley_media_pipelines'), 1);
      const other = await scrape(metricsUrl(suite.server));
      assert.equal(sampleValue(other, 'medley_admission_refusals_total'), 0);
    } finally {
      await rpc.close();
      await busy.close();
    }
  });

  it('is off by default: no metrics kept and no port listening', async () => {
    const before = listeningPorts();
    const server = await startServer();
    try {
      assert.equal(server.metrics, undefined);
      assert.equal(server.metricsPort, undefined);
      assert.deepEqual(portsOpenedSince(before), [server.port], 'only the WebSocket port listens');
    } finally {
      await server.close();
    }
    const withMetrics = await startServer({ metricsPort: 0 });
    try {
      assert.deepEqual(
        portsOpenedSince(before),
        [withMetrics.port, withMetrics.metricsPort].sort((a, b) => (a ?? 0) - (b ?? 0)),
        'the metrics port listens beside it',
      );
    } finally {
      await withMetrics.close();
    }
    await eventually(
      () => (portsOpenedSince(before).length === 0 ? true : undefined),
      'both ports close with the server',
    );
  });

  it('keeps metrics for an embedding application without serving them (collectMetrics)', async () => {
    const before = listeningPorts();
    const server = await startServer({ collectMetrics: true });
    try {
      assert.equal(server.metricsPort, undefined);
      assert.deepEqual(portsOpenedSince(before), [server.port]);
      const samples = parsePrometheusText(await (server.metrics?.metrics() ?? ''));
      assert.equal(sampleValue(samples, 'medley_media_pipelines'), 0);
      // Process metrics are the embedding application's to serve, once.
      assert.deepEqual(samplesOf(samples, 'process_cpu_user_seconds_total'), []);
    } finally {
      await server.close();
    }
  });

  it('refuses a metrics port in use at start-up, and leaves nothing listening', async () => {
    const before = listeningPorts();
    const taken = suite.server.metricsPort as number;
    await assert.rejects(startServer({ metricsPort: taken }), (error: unknown) => {
      assert.ok(error instanceof ConfigurationError);
      assert.match(
        error.message,
        new RegExp(`metrics on 127\\.0\\.0\\.1:${taken} \\(EADDRINUSE\\)`),
      );
      return true;
    });
    await eventually(
      () => (portsOpenedSince(before).length === 0 ? true : undefined),
      'the WebSocket port of the refused server is closed again',
    );
  });

  it('takes --metrics-port or MEDLEY_METRICS_PORT, and refuses a port that is not one', () => {
    const fromFlag = parseCommandLine(['--metrics-port', '9464'], { MEDLEY_METRICS_PORT: '9100' });
    assert.ok(fromFlag.kind === 'serve');
    assert.equal(fromFlag.options.metricsPort, 9464);
    const fromEnv = parseCommandLine([], { MEDLEY_METRICS_PORT: '9100' });
    assert.ok(fromEnv.kind === 'serve');
    assert.equal(fromEnv.options.metricsPort, 9100);
    const off = parseCommandLine([], {});
    assert.ok(off.kind === 'serve');
    assert.equal(off.options.metricsPort, undefined);
    assert.throws(() => parseCommandLine(['--metrics-port', 'http'], {}), ConfigurationError);
    assert.throws(() => resolveOptions({ metricsPort: 70000 }), ConfigurationError);
  });
});

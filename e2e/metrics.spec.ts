import { expect, type Page, test } from '@playwright/test';
import {
  type PrometheusSample,
  parsePrometheusText,
  samplesOf,
  sampleValue,
} from '../packages/media-server/test/support/prometheusText.js';
import { demoMetricsUrl } from './support/demoMetrics.js';
import { expectFramesDecoded, framesDecoded } from './support/media.js';

// The demo app server's Prometheus endpoint (METRICS_PORT) scraped around a real loopback call:
// its own signaling metrics and the embedded media server's, in one scrape. Counters are shared
// with the other specs of the run (one app server), so only their growth is checked.

const peerConnection = () => window.loopback.peer?.peerConnection;

async function scrape(page: Page): Promise<PrometheusSample[]> {
  const response = await page.request.get(demoMetricsUrl);
  expect(response.status()).toBe(200);
  return parsePrometheusText(await response.text());
}

test('counts a loopback call, its signaling and its media, and what the server refused', async ({
  page,
}) => {
  await page.goto('/loopback/');
  const before = await scrape(page);
  const loopbackCalls = (samples: PrometheusSample[]) =>
    sampleValue(samples, 'medley_demo_calls', { demo: 'loopback' });
  const videoPackets = (samples: PrometheusSample[], direction: string) =>
    sampleValue(samples, 'medley_rtp_packets_total', { direction, kind: 'video' });

  await page.click('#start');
  await expectFramesDecoded(page, peerConnection);
  const during = await scrape(page);
  expect(loopbackCalls(during)).toBe(loopbackCalls(before) + 1);
  expect(
    sampleValue(during, 'medley_demo_call_participants', { demo: 'loopback', role: 'caller' }),
  ).toBe(loopbackCalls(during));
  expect(sampleValue(during, 'medley_demo_connections', { demo: 'loopback' })).toBeGreaterThan(0);
  expect(
    sampleValue(during, 'medley_demo_signaling_sessions', { demo: 'loopback', state: 'connected' }),
  ).toBeGreaterThan(0);
  // The embedded media server's metrics are in the same scrape.
  expect(sampleValue(during, 'medley_media_pipelines')).toBeGreaterThanOrEqual(1);
  expect(
    sampleValue(during, 'medley_media_elements', { type: 'WebRtcEndpoint' }),
  ).toBeGreaterThanOrEqual(1);
  expect(sampleValue(during, 'process_resident_memory_bytes')).toBeGreaterThan(0);

  // More frames come back to the page: the media server received and sent more since.
  await expectFramesDecoded(page, peerConnection, (await framesDecoded(page, peerConnection)) + 30);
  const later = await scrape(page);
  for (const direction of ['received', 'sent']) {
    expect(videoPackets(later, direction), direction).toBeGreaterThan(
      videoPackets(during, direction),
    );
  }

  // A signaling request the server does not handle, and a page that does not exist, are refused.
  // prom-client shows a labelled counter's series once it has counted: absent is 0.
  const refusedRequests = (samples: PrometheusSample[]) =>
    counted(samples, 'medley_demo_signaling_requests_refused_total', {
      demo: 'loopback',
      code: 'UNKNOWN_REQUEST',
    });
  const notFound = (samples: PrometheusSample[]) =>
    counted(samples, 'medley_demo_http_requests_refused_total', { status: '404' });
  const refusedBefore = await scrape(page);
  const refusal = await page.evaluate(() =>
    window.loopback.client?.request('loopback.nothing', {}).then(
      () => 'answered',
      (error: { code?: string }) => error.code,
    ),
  );
  expect(refusal).toBe('UNKNOWN_REQUEST');
  expect((await page.request.get('/no-such-page/')).status()).toBe(404);
  // The metrics are not on the public port.
  expect((await page.request.get('/metrics')).status()).toBe(404);
  const refusedAfter = await scrape(page);
  expect(refusedRequests(refusedAfter)).toBe(refusedRequests(refusedBefore) + 1);
  expect(notFound(refusedAfter)).toBe(notFound(refusedBefore) + 2);

  await page.click('#stop');
  await expect
    .poll(async () => loopbackCalls(await scrape(page)), { message: 'the call is over' })
    .toBe(loopbackCalls(before));
  await expect
    .poll(async () => sampleValue(await scrape(page), 'medley_media_pipelines'))
    .toBe(sampleValue(before, 'medley_media_pipelines'));
  // Counters keep what the released endpoint carried.
  expect(videoPackets(await scrape(page), 'sent')).toBeGreaterThanOrEqual(
    videoPackets(later, 'sent'),
  );
});

test('answers only GET /metrics on the metrics port', async ({ request }) => {
  expect((await request.get(demoMetricsUrl.replace('/metrics', '/'))).status()).toBe(404);
  const posted = await request.post(demoMetricsUrl, { data: 'x' });
  expect(posted.status()).toBe(405);
  expect(posted.headers().allow).toBe('GET, HEAD');
});

function counted(
  samples: PrometheusSample[],
  name: string,
  labels: Record<string, string>,
): number {
  return samplesOf(samples, name, labels)[0]?.value ?? 0;
}

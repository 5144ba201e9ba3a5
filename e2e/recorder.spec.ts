import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isMediaServerError, type MediaClient } from '@medley/media-client';
import { SignalingClient } from '@medley/signaling';
import type { APIRequestContext, Page } from '@playwright/test';
import { decodeErrors, probe, streamOf } from './support/ffprobe.js';
import { expectFramesDecoded, expectVideoPlaying } from './support/media.js';
import { connectToDemoMediaServer, expectPipelineCount } from './support/mediaServer.js';
import { e2eMediaRoot } from './support/paths.js';
import { rejection } from './support/rejection.js';
import { expectLiveStats, statValue } from './support/statsPanel.js';
import { expect, test } from './support/test.js';

const peerConnection = () => window.recorder.peer?.peerConnection;
const recordSeconds = 5;

let media: MediaClient;
test.beforeAll(async ({ request }) => {
  media = await connectToDemoMediaServer(request);
});
test.afterAll(() => media.close());

/** What the page shows while it records: its timer, the file's size, the live stats. */
interface RecordingReading {
  elapsed: string;
  /** The bytes the file had on disk when the page last asked (`data-bytes`), if known yet. */
  bytes: number | undefined;
  bitrateOut: number;
  fps: number;
}

async function readRecordingProgress(page: Page): Promise<RecordingReading> {
  const stats = page.locator('#stats');
  const bytes = await page.locator('#written').getAttribute('data-bytes');
  return {
    elapsed: (await page.locator('#elapsed').textContent()) ?? '',
    bytes: bytes === null ? undefined : Number(bytes),
    bitrateOut: await statValue(stats, 'bitrateOut'),
    fps: await statValue(stats, 'fps'),
  };
}

/**
 * Records `recordSeconds` (as the page counts them) from the fake camera, reading what the page
 * shows meanwhile. Returns the file's path, the wall time the app server measured between asking
 * to record and to stop, and the readings.
 */
async function recordFromCamera(
  page: Page,
  profile: 'WEBM' | 'MP4',
): Promise<{ file: string; wallSeconds: number; readings: RecordingReading[] }> {
  await page.goto('/recorder/?video=320x240@15');
  await page.selectOption('#profile', profile);
  await page.click('#record');
  await expect(page.locator('#state')).toHaveText('recording', { timeout: 20_000 });
  await expectPipelineCount(media, 1);
  // Read four times a second over the recording, which lasts as long as before this was read.
  const readings: RecordingReading[] = [];
  const recordingEnds = Date.now() + recordSeconds * 1000;
  while (Date.now() < recordingEnds) {
    readings.push(await readRecordingProgress(page));
    await page.waitForTimeout(Math.min(250, Math.max(0, recordingEnds - Date.now())));
  }
  await page.click('#stop');
  await expect(page.locator('#state')).toHaveText('recorded');
  await expectPipelineCount(media, 0);
  const recording = await page.evaluate(() => window.recorder.lastRecording);
  expect(recording?.name).toBeTruthy();
  return {
    file: join(e2eMediaRoot, recording?.name as string),
    wallSeconds: recording?.recordedSeconds ?? Number.NaN,
    readings,
  };
}

/**
 * While it recorded, the page's timer advanced and the size it showed grew, read from the file;
 * once stopped, it shows the finished file's size, as on disk and as downloaded.
 */
async function expectRecordingProgressShown(
  page: Page,
  request: APIRequestContext,
  { file, readings }: { file: string; readings: RecordingReading[] },
): Promise<void> {
  const elapsed = readings.map((reading) => reading.elapsed);
  expect(
    elapsed.every((text) => /^\d+:\d\d$/.test(text)),
    elapsed.join(' '),
  ).toBe(true);
  expect(new Set(elapsed).size, `timer readings ${elapsed.join(' ')}`).toBeGreaterThanOrEqual(3);
  expect(elapsed, 'the timer never goes back').toEqual([...elapsed].sort(bySeconds));

  const sizes = readings.flatMap(({ bytes }) => (bytes === undefined ? [] : [bytes]));
  expect(sizes, 'sizes never shrink').toEqual([...sizes].sort((a, b) => a - b));
  expect(new Set(sizes.filter((size) => size > 0)).size, `sizes ${sizes}`).toBeGreaterThan(1);
  expect(readings.some(({ bitrateOut, fps }) => bitrateOut > 0 && fps > 0)).toBe(true);

  const onDisk = (await stat(file)).size;
  expect(Math.max(...sizes)).toBeLessThanOrEqual(onDisk);
  await expect(page.locator('#written')).toHaveAttribute('data-bytes', String(onDisk));
  const name = file.slice(e2eMediaRoot.length + 1);
  const download = await request.get(`/recordings/${encodeURIComponent(name)}`);
  expect(Number(download.headers()['content-length'])).toBe(onDisk);
}

function bySeconds(a: string, b: string): number {
  const seconds = (text: string) =>
    text.split(':').reduce((total, part) => total * 60 + Number(part), 0);
  return seconds(a) - seconds(b);
}

async function expectWellFormedRecording(
  { file }: { file: string },
  codecs: { video: string; audio: string },
): Promise<void> {
  const result = await probe(file);
  const video = streamOf(result, 'video');
  const audio = streamOf(result, 'audio');
  expect(video?.codec_name).toBe(codecs.video);
  expect(audio?.codec_name).toBe(codecs.audio);
  const duration = Number(result.format.duration);
  // The file lasts about as long as the page recorded: its 5 s plus the signaling hops of
  // "recording" and "stop" (tens of ms, up to ~0.9 s measured on a 2-core machine busy with other
  // browsers). Not held to the wall time more tightly: how fast a busy machine delivers the first
  // and last packets is not the recorder's doing (the media server's tests check its clock).
  expect(duration).toBeGreaterThan(recordSeconds - 0.3);
  expect(duration).toBeLessThan(recordSeconds + 1);
  // Audio is written from the first packet; video from the first keyframe, which the recorder
  // asks the browser for when recording starts: a round trip plus the encoder's reaction,
  // measured 0.1-0.55 s here with other browsers busy on the same two cores.
  expect(Number(audio?.start_time)).toBeLessThan(0.05);
  expect(Number(video?.start_time)).toBeLessThan(1);
  expect(await decodeErrors(file)).toBe('');
}

async function playBack(page: Page, file: string, { checkStats = false } = {}): Promise<void> {
  const name = file.slice(e2eMediaRoot.length + 1);
  await page.click(`button[data-play="${name}"]`);
  await expectFramesDecoded(page, peerConnection);
  // Before its end, while media still flows: the player's stream in the stats panel.
  if (checkStats) await expectLiveStats(page.locator('#stats'), ['bitrateIn']);
  await expectVideoPlaying(page, '#video');
  await expect(page.locator('#state')).toHaveText('ended', { timeout: 15_000 });
  await page.click('#stop');
  await expectPipelineCount(media, 0);
}

test('records 5 s of WebM (VP8 + Opus) that ffmpeg decodes, showing its time and size, and plays it back', async ({
  page,
  request,
}) => {
  const recording = await recordFromCamera(page, 'WEBM');
  await expectWellFormedRecording(recording, { video: 'vp8', audio: 'opus' });
  await expectRecordingProgressShown(page, request, recording);
  const name = recording.file.slice(e2eMediaRoot.length + 1);
  await expect(page.locator(`a[download="${name}"]`)).toBeVisible();
  await playBack(page, recording.file, { checkStats: true });
});

// fixme: the MP4 writer places H.264 video ~0.3 s late (the wait for the first keyframe is
// counted twice), so the file outlasts the wall time by ~5%. WebM is exact.
test('records 5 s of MP4 (H.264 + Opus) that ffmpeg decodes, showing its time and size, and plays it back', async ({
  page,
  request,
}) => {
  const recording = await recordFromCamera(page, 'MP4');
  await expectWellFormedRecording(recording, { video: 'h264', audio: 'opus' });
  await expectRecordingProgressShown(page, request, recording);
  await playBack(page, recording.file);
});

test('the media server refuses a recording URI outside its media root and writes nothing', async () => {
  const pipeline = await media.create('MediaPipeline');
  try {
    for (const uri of ['file:///tmp/medley-escape.webm', '../medley-escape.webm']) {
      const refusal = await pipeline.create('RecorderEndpoint', { uri }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isMediaServerError(refusal, 'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR')).toBe(true);
      expect(String(refusal)).toContain('media root');
    }
    expect(existsSync('/tmp/medley-escape.webm')).toBe(false);
    expect(existsSync(join(e2eMediaRoot, '..', 'medley-escape.webm'))).toBe(false);
  } finally {
    await pipeline.release();
  }
});

test('answers bad recorder requests with clear errors and leaves the server clean', async ({
  baseURL,
}) => {
  const client = await SignalingClient.connect(`${baseURL}/recorder`);
  try {
    const offer = (peerId: string, sdp = 'v=0') =>
      client.request('peer:offer', { peerId, epoch: 1, sdp });

    expect(await client.request('recorder.stop', {})).toEqual({});
    expect(await client.request('recorder.progress', {})).toEqual({});
    expect(await rejection(offer('record:AVI'))).toMatch(/^REJECTED: Unknown peer "record:AVI"/);
    expect(await rejection(offer('play:../../etc/passwd'))).toBe(
      'REJECTED: "../../etc/passwd" is not a recording of this demo.',
    );
    expect(
      await rejection(offer('play:recording-2026-01-01T00-00-00-000Z-0123456789abcdef.webm')),
    ).toBe(
      'REJECTED: There is no recording "recording-2026-01-01T00-00-00-000Z-0123456789abcdef.webm": pick one from the list.',
    );
    expect(await rejection(offer('record:WEBM', 'not an SDP'))).toMatch(/^REJECTED: /);
    expect(await rejection(client.request('recorder.erase' as never, {} as never))).toBe(
      'UNKNOWN_REQUEST: the server does not handle "recorder.erase" requests',
    );
    client.socket.emit('medley:request', 42);
    expect(await client.request('recorder.stop', {})).toEqual({});
    await expectPipelineCount(media, 0);
  } finally {
    client.close();
  }
});

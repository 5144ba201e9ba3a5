import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { MediaServer } from '../src/index.js';
import {
  beepTimes,
  decodeErrors,
  flashTimes,
  type ProbedStream,
  probe,
} from './support/mediaFiles.js';
import { MediaBrowser, negotiate, type SendOptions } from './support/mediaPage.js';
import { RpcClient } from './support/RpcClient.js';
import { startServer } from './support/server.js';

/**
 * RecorderEndpoint end to end: Chromium sends its media to a WebRtcEndpoint connected to a
 * RecorderEndpoint, through the Kurento Protocol; the file is then checked with ffprobe and
 * decoded with ffmpeg.
 */

let mediaRoot: string;
let server: MediaServer;
let browser: MediaBrowser;
let client: RpcClient;

before(async () => {
  mediaRoot = await mkdtemp(join(tmpdir(), 'medley-recorder-'));
  server = await startServer({ mediaRoot });
  browser = await MediaBrowser.launch();
  client = await RpcClient.open(server.url);
});

after(async () => {
  await client?.close();
  await browser?.close();
  await server?.close();
  await rm(mediaRoot, { recursive: true, force: true });
});

interface Session {
  readonly page: Page;
  readonly pipeline: string;
  readonly recorder: string;
  readonly from: number;
  close(): Promise<void>;
}

/** A page sending media to a WebRtcEndpoint connected to a recorder, connected and flowing. */
async function startSession(
  uri: string,
  mediaProfile: string,
  send: SendOptions,
): Promise<Session> {
  const from = client.received.length;
  const page = await browser.newPage();
  const pipeline = await client.create('MediaPipeline');
  const webRtc = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
  const recorder = await client.create('RecorderEndpoint', {
    mediaPipeline: pipeline,
    uri,
    mediaProfile,
  });
  for (const type of ['Recording', 'Stopped', 'Error', 'UriEndpointStateChanged']) {
    await client.call('subscribe', { object: recorder, type });
  }
  await client.invoke(webRtc, 'connect', { sink: recorder });
  const offer = await page.evaluate((options) => window.mediaPage.startSending(options), send);
  const stopTrickle = await negotiate(client, page, webRtc, offer);
  return {
    page,
    pipeline,
    recorder,
    from,
    async close() {
      stopTrickle();
      await page.evaluate(() => window.mediaPage.endSession());
      await page.close();
      await client.call('release', { object: pipeline });
    },
  };
}

/**
 * Records for `seconds` of wall time, from the record request to the stop request, then waits
 * for the file to be complete; returns the wall time measured.
 */
async function recordFor(session: Session, seconds: number): Promise<number> {
  const requestedAt = performance.now();
  await client.invoke(session.recorder, 'record');
  await client.waitForEvent('Recording', session.recorder, session.from);
  await new Promise((resolve) =>
    setTimeout(resolve, seconds * 1000 - (performance.now() - requestedAt)),
  );
  const wallSeconds = (performance.now() - requestedAt) / 1000;
  await client.invoke(session.recorder, 'stopAndWait');
  await client.waitForEvent('Stopped', session.recorder, session.from);
  return wallSeconds;
}

function stream(streams: readonly ProbedStream[], kind: 'audio' | 'video'): ProbedStream {
  const found = streams.find((candidate) => candidate.codecType === kind);
  assert.ok(found, `the file has a ${kind} stream`);
  return found;
}

/**
 * A file cannot hold more media than reached the recorder while it recorded (`wallSeconds`,
 * plus a frame or two of rounding); it may hold less on a busy machine — video starts at the
 * first keyframe after `record`, which the encoder may send up to a second late — so the lower
 * bound allows for that wait and nothing else.
 */
function assertRecordedSpan(durationSeconds: number | undefined, wallSeconds: number): void {
  assert.ok(durationSeconds !== undefined, 'the file has a duration');
  assert.ok(
    durationSeconds <= wallSeconds + 0.2,
    `duration ${durationSeconds} s is longer than the ${wallSeconds.toFixed(3)} s recorded`,
  );
  assert.ok(
    durationSeconds >= wallSeconds - 1.2,
    `duration ${durationSeconds} s lost more than the wait for a keyframe of the ${wallSeconds.toFixed(3)} s recorded`,
  );
}

function assertNear(actual: number | undefined, expected: number, tolerance: number, what: string) {
  assert.ok(
    actual !== undefined && Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual} is not within ${tolerance} of ${expected}`,
  );
}

describe('RecorderEndpoint with Chromium', () => {
  it('records VP8 + Opus to WebM: 5 s long, both tracks from 0, in sync, decoding cleanly', async () => {
    const session = await startSession('calls/vp8.webm', 'WEBM', {
      audio: true,
      video: true,
      source: 'flash',
    });
    const wallSeconds = await recordFor(session, 5);
    await session.close();
    const path = join(mediaRoot, 'calls/vp8.webm');
    const file = await probe(path);
    const video = stream(file.streams, 'video');
    const audio = stream(file.streams, 'audio');
    assert.equal(video.codecName, 'vp8');
    assert.equal(audio.codecName, 'opus');
    assertNear(file.durationSeconds, wallSeconds, 0.5, 'duration');
    assertNear(audio.firstPacketSeconds, 0, 0.1, 'first audio packet');
    assertNear(video.firstPacketSeconds, 0, 0.5, 'first video packet');
    assert.equal(await decodeErrors(path), '');

    // The file's clock runs at the media's rate: the page flashes once a second by its own
    // clock, and the flashes are a second apart in the file. (Against wall time the duration
    // depends on how fast a busy machine delivers the first and last packets, not on the
    // recorder.)
    const flashes = await flashTimes(path);
    assert.ok(flashes.length >= 3, `found ${flashes.length} flashes`);
    const spacing = ((flashes.at(-1) as number) - (flashes[0] as number)) / (flashes.length - 1);
    assertNear(spacing, 1, 0.03, "mean spacing of the page's one-second flashes in the file");
    const beeps = await beepTimes(path);
    const offsets = flashes.flatMap((flash) => {
      const beep = beeps.find((time) => Math.abs(time - flash) < 0.5);
      return beep === undefined ? [] : [beep - flash];
    });
    console.log(`A/V offsets (audio - video, s): ${offsets.map((o) => o.toFixed(3)).join(' ')}`);
    assert.ok(offsets.length >= 3, `found ${offsets.length} flash/beep pairs`);
    const sorted = offsets.map(Math.abs).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] as number;
    assert.ok(median < 0.1, `median A/V offset ${median} s`);
  });

  it('records H.264 + Opus to MP4 when the page prefers H.264', async () => {
    const session = await startSession('h264.mp4', 'MP4', {
      audio: true,
      video: true,
      preferredVideoCodec: 'H264',
    });
    const wallSeconds = await recordFor(session, 5);
    await session.close();
    const path = join(mediaRoot, 'h264.mp4');
    const file = await probe(path);
    assert.equal(stream(file.streams, 'video').codecName, 'h264');
    assert.equal(stream(file.streams, 'audio').codecName, 'opus');
    assertRecordedSpan(file.durationSeconds, wallSeconds);
    assertNear(stream(file.streams, 'audio').firstPacketSeconds, 0, 0.1, 'first audio packet');
    assertNear(stream(file.streams, 'video').firstPacketSeconds, 0, 0.5, 'first video packet');
    assert.equal(await decodeErrors(path), '');
  });

  it('writes a valid video file when the source sends no audio', async () => {
    const session = await startSession('no-audio.webm', 'WEBM', { audio: false, video: true });
    const wallSeconds = await recordFor(session, 3);
    await session.close();
    const path = join(mediaRoot, 'no-audio.webm');
    const file = await probe(path);
    assert.deepEqual(
      file.streams.map((probed) => probed.codecName),
      ['vp8'],
    );
    assertRecordedSpan(file.durationSeconds, wallSeconds);
    assert.equal(await decodeErrors(path), '');
  });

  it('refuses VP8 into MP4 with an Error event, and writes nothing', async () => {
    const session = await startSession('refused.mp4', 'MP4', { audio: true, video: true });
    await client.invoke(session.recorder, 'record');
    const error = await client.waitForEvent('Error', session.recorder, session.from);
    assert.equal(error.params.value.data.type, 'CODEC_NOT_ALLOWED');
    assert.match(
      String(error.params.value.data.description),
      /MP4 profile cannot hold video in video\/VP8/,
    );
    await client.waitForEvent('Stopped', session.recorder, session.from);
    await session.close();
    assert.equal(existsSync(join(mediaRoot, 'refused.mp4')), false);
  });
});

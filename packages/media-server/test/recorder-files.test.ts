import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { MediaPacket } from '../src/graph/index.js';
import { FileByteSource } from '../src/playback/ByteSource.js';
import type { Demuxer } from '../src/playback/DemuxedMedia.js';
import { Mp4Demuxer } from '../src/playback/mp4/Mp4Demuxer.js';
import { RtpTrackSender } from '../src/playback/RtpTrackSender.js';
import { WebmDemuxer } from '../src/playback/webm/WebmDemuxer.js';
import type { RecordingError } from '../src/recording/errors.js';
import { type MediaProfileName, mediaProfile } from '../src/recording/MediaProfile.js';
import { Recording } from '../src/recording/Recording.js';
import { decodeErrors, makeTestMedia, probe } from './support/mediaFiles.js';

/**
 * The recorder without a network: a file made by ffmpeg is read, packetized into RTP exactly as
 * the player sends it, fed to a Recording on a simulated clock, and the result is checked with
 * ffprobe and ffmpeg.
 */

let directory: string;
const sources: Record<string, string> = {};

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'medley-recorder-files-'));
  sources.vp8 = join(directory, 'vp8-opus.webm');
  sources.vp9 = join(directory, 'vp9.webm');
  sources.h264 = join(directory, 'h264-opus.mkv');
  await Promise.all([
    makeTestMedia(sources.vp8, { video: 'vp8', audio: true, seconds: 3 }),
    makeTestMedia(sources.vp9, { video: 'vp9', seconds: 3 }),
    makeTestMedia(sources.h264, { video: 'h264', audio: true, seconds: 3 }),
  ]);
});

after(async () => {
  await rm(directory, { recursive: true, force: true });
});

interface ReplayOptions {
  /** Drops a packet when this returns true (simulated loss). */
  readonly drop?: (kind: 'audio' | 'video', index: number) => boolean;
  /** Media time (ms) at which the recording is paused, and at which it resumes. */
  readonly pause?: readonly [number, number];
}

/** Sends a file through RTP into a recording, on a clock that follows the media time. */
async function record(
  source: string,
  output: string,
  profileName: MediaProfileName,
  options: ReplayOptions = {},
): Promise<{ errors: RecordingError[]; keyframeRequests: number }> {
  const demuxer = await WebmDemuxer.open(await FileByteSource.open(source));
  const profile = mediaProfile(profileName);
  assert.ok(profile);
  const errors: RecordingError[] = [];
  let keyframeRequests = 0;
  let clockMs = 50_000;
  const recording = new Recording({
    path: output,
    profile,
    requestKeyframe: () => keyframeRequests++,
    onStarted: () => undefined,
    onError: (error) => errors.push(error),
    now: () => clockMs,
  });
  const senders = new Map(demuxer.tracks.map((track) => [track.kind, new RtpTrackSender(track)]));
  const sent = { audio: 0, video: 0 };
  for await (const frame of demuxer.frames(0)) {
    const sender = senders.get(frame.kind);
    if (!sender) continue;
    clockMs = 50_000 + frame.timeMs;
    if (options.pause && frame.timeMs >= options.pause[0] && recording.state === 'recording') {
      if (frame.timeMs < options.pause[1]) recording.pause();
    } else if (options.pause && frame.timeMs >= options.pause[1]) {
      recording.resume();
    }
    const timestamp = sender.timestampAt(frame.timeMs);
    const pictureId = sender.nextPictureId();
    sender.send(frame.data, frame.keyframe, timestamp, pictureId, (packet: MediaPacket) => {
      const index = sent[frame.kind]++;
      if (options.drop?.(frame.kind, index)) return;
      recording.push(frame.kind === 'video' ? 'VIDEO' : 'AUDIO', packet);
    });
  }
  clockMs += 1000;
  await recording.stop();
  await demuxer.close();
  return { errors, keyframeRequests };
}

async function countFrames(demuxer: Demuxer): Promise<Record<'audio' | 'video', number>> {
  const counts = { audio: 0, video: 0 };
  for await (const frame of demuxer.frames(0)) counts[frame.kind]++;
  await demuxer.close();
  return counts;
}

function assertNear(actual: number | undefined, expected: number, tolerance: number, what: string) {
  assert.ok(
    actual !== undefined && Math.abs(actual - expected) <= tolerance,
    `${what}: ${actual} is not within ${tolerance} of ${expected}`,
  );
}

describe('recording files from RTP', () => {
  it('writes VP8 + Opus into WebM that decodes cleanly, starts at 0 and lasts as long as the source', async () => {
    const output = join(directory, 'out-vp8.webm');
    const { errors } = await record(sources.vp8 as string, output, 'WEBM');
    assert.deepEqual(errors, []);
    const file = await probe(output);
    assert.match(file.formatName, /webm/);
    const video = file.streams.find((stream) => stream.codecType === 'video');
    const audio = file.streams.find((stream) => stream.codecType === 'audio');
    assert.equal(video?.codecName, 'vp8');
    assert.equal(video?.width, 320);
    assert.equal(audio?.codecName, 'opus');
    assertNear(file.durationSeconds, 3, 0.1, 'duration');
    assertNear(video?.firstPacketSeconds, 0, 0.05, 'first video packet');
    assertNear(audio?.firstPacketSeconds, 0, 0.05, 'first audio packet');
    assert.equal(await decodeErrors(output), '');
  });

  it('writes H.264 + Opus into fragmented MP4 with its duration, and reads it back', async () => {
    const output = join(directory, 'out-h264.mp4');
    const { errors } = await record(sources.h264 as string, output, 'MP4');
    assert.deepEqual(errors, []);
    const written = await countFrames(await Mp4Demuxer.open(await FileByteSource.open(output)));
    const sent = await countFrames(
      await WebmDemuxer.open(await FileByteSource.open(sources.h264 as string)),
    );
    assert.deepEqual(written, sent, 'every frame of the source is in the file');
    const file = await probe(output);
    assert.match(file.formatName, /mp4/);
    const video = file.streams.find((stream) => stream.codecType === 'video');
    const audio = file.streams.find((stream) => stream.codecType === 'audio');
    assert.equal(video?.codecName, 'h264');
    assert.equal(video?.width, 320);
    assert.equal(audio?.codecName, 'opus');
    assertNear(file.durationSeconds, 3, 0.1, 'duration');
    assert.equal(await decodeErrors(output), '');
  });

  it('writes H.264 into MKV and VP9 into WebM (video only)', async () => {
    const mkv = join(directory, 'out-h264.mkv');
    const webm = join(directory, 'out-vp9.webm');
    assert.deepEqual((await record(sources.h264 as string, mkv, 'MKV_VIDEO_ONLY')).errors, []);
    assert.deepEqual((await record(sources.vp9 as string, webm, 'WEBM_VIDEO_ONLY')).errors, []);
    const mkvFile = await probe(mkv);
    assert.deepEqual(
      mkvFile.streams.map((stream) => stream.codecName),
      ['h264'],
    );
    const webmFile = await probe(webm);
    assert.deepEqual(
      webmFile.streams.map((stream) => stream.codecName),
      ['vp9'],
    );
    assertNear(webmFile.durationSeconds, 3, 0.1, 'VP9 duration');
    assert.equal(await decodeErrors(mkv), '');
    assert.equal(await decodeErrors(webm), '');
  });

  it('leaves the paused time out of the file', async () => {
    const output = join(directory, 'paused.webm');
    const { errors, keyframeRequests } = await record(sources.vp8 as string, output, 'WEBM', {
      pause: [1000, 2000],
    });
    assert.deepEqual(errors, []);
    assert.ok(keyframeRequests >= 2, 'a key frame is asked for on resume');
    const file = await probe(output);
    // 3 s of media, 1 s paused; video resumes at the next key frame (the clip has one a second).
    assertNear(file.durationSeconds, 2, 0.15, 'duration');
    assert.equal(await decodeErrors(output), '');
  });

  it('refuses VP8 into MP4 before writing anything', async () => {
    const output = join(directory, 'refused.mp4');
    const { errors } = await record(sources.vp8 as string, output, 'MP4');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.code, 'CODEC_NOT_ALLOWED');
    assert.match(errors[0]?.message ?? '', /MP4 profile cannot hold video in video\/VP8/);
    assert.equal(existsSync(output), false, 'no file is created');
  });

  it('skips video from a lost packet to the next key frame and asks for one', async () => {
    const output = join(directory, 'lossy.webm');
    const { errors, keyframeRequests } = await record(sources.vp8 as string, output, 'WEBM', {
      drop: (kind, index) => kind === 'video' && index % 97 === 50,
    });
    assert.deepEqual(errors, []);
    assert.ok(keyframeRequests >= 2, `asked for key frames ${keyframeRequests} times`);
    assert.equal(await decodeErrors(output), '');
    const file = await probe(output);
    assertNear(file.durationSeconds, 3, 0.1, 'duration');
  });
});

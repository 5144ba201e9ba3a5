import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { OutsideMediaRootError } from '../src/elements/MediaRootFile.js';
import { isVp8KeyframeStart } from '../src/graph/index.js';
import { createJsonLogger } from '../src/logger.js';
import { GstFilePlayback } from '../src/playback/GstFilePlayback.js';
import { ProcessingPlane } from '../src/processing/ProcessingPlane.js';
import { resolveProcessing } from '../src/server/processingOptions.js';
import { mediaRootSuite } from './support/mediaRootSuite.js';
import { eventually } from './support/server.js';
import { stageProcesses } from './support/stageProcesses.js';

const run = promisify(execFile);

async function aliveStages() {
  return (await stageProcesses()).filter((found) => found.state !== 'Z');
}

/** A 2 s Matroska file of MPEG-4 video and MP3: only GStreamer's playback reads it. */
async function writeClip(path: string): Promise<void> {
  await run('ffmpeg', [
    ...['-v', 'error', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '2'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '2'],
    ...['-c:v', 'mpeg4', '-c:a', 'libmp3lame', path],
  ]);
}

/**
 * Files GStreamer plays (containers the in-process demuxers do not read) are opened and checked
 * by the server, and GStreamer reads that open descriptor: a link that leads out of the media
 * root is refused before any GStreamer process starts, whenever it was swapped in.
 */
describe('GStreamer file playback reads the file the media root check opened', () => {
  const suite = mediaRootSuite('medley-gst-root-', async ({ mediaRoot, outside }) => {
    await writeClip(join(mediaRoot, 'clip.mkv'));
    await writeClip(join(outside, 'secret.mkv'));
    await symlink(join(outside, 'secret.mkv'), join(mediaRoot, 'escape.mkv'));
  });
  const plane = new ProcessingPlane(resolveProcessing(), createJsonLogger('silent'));
  after(() => plane.close());

  /** Plays `name` of the media root to its end; what came out, or why it failed. */
  async function play(name: string) {
    const frames: { timestamp: number; keyframe: boolean }[] = [];
    let audioPackets = 0;
    let ended!: () => void;
    let failed!: (error: Error) => void;
    const done = new Promise<void>((resolve, reject) => {
      ended = resolve;
      failed = reject;
    });
    const playback = new GstFilePlayback(
      join(suite.mediaRoot, name),
      suite.mediaRoot,
      { plane, logger: createJsonLogger('silent') },
      {
        onPacket: (kind, packet) => {
          if (kind === 'audio') {
            audioPackets++;
            return;
          }
          if (frames.at(-1)?.timestamp !== packet.timestamp) {
            frames.push({
              timestamp: packet.timestamp,
              keyframe: isVp8KeyframeStart(packet.payload),
            });
          }
        },
        onEndOfStream: () => ended(),
        onError: (message) => failed(new Error(message)),
      },
    );
    try {
      await playback.play();
      await done;
    } finally {
      await playback.stop();
      // At the end of the file the playback reaps its stage on its own: wait until it is gone.
      await eventually(
        async () => ((await aliveStages()).length === 0 ? true : undefined),
        'the GStreamer process is gone',
      );
    }
    return { frames, audioPackets };
  }

  test('a link to a file outside the media root is refused, and no GStreamer process starts', async () => {
    await assert.rejects(play('escape.mkv'), OutsideMediaRootError);
    assert.equal(plane.stages.length, 0);
    assert.deepEqual(await aliveStages(), []);
  });

  test('a regular file plays: its frames are decoded and sent as VP8, its sound as Opus', async () => {
    const { frames, audioPackets } = await play('clip.mkv');
    assert.ok(frames.length >= 40, `${frames.length} frames of the 50 in the file`);
    assert.equal(frames[0]?.keyframe, true, 'the first frame is a key frame');
    assert.ok(audioPackets > 50, `${audioPackets} audio packets`);
  });

  test('a link swapped between two plays is checked again: inside plays, outside is refused', async () => {
    const link = join(suite.mediaRoot, 'moving.mkv');
    await symlink(join(suite.mediaRoot, 'clip.mkv'), link);
    assert.ok((await play('moving.mkv')).frames.length >= 40);
    await rm(link);
    await symlink(join(suite.outside, 'secret.mkv'), link);
    await assert.rejects(play('moving.mkv'), OutsideMediaRootError);
  });

  test('PlayerEndpoint: a link swapped out of the media root after create is an Error event at play', async () => {
    const { client, pipeline } = suite;
    const link = join(suite.mediaRoot, 'later.mkv');
    await symlink(join(suite.mediaRoot, 'clip.mkv'), link);
    // The URI is checked at create (the link leads inside then) and the file again at play.
    const player = await client.create('PlayerEndpoint', {
      mediaPipeline: pipeline,
      uri: 'later.mkv',
    });
    await rm(link);
    await symlink(join(suite.outside, 'secret.mkv'), link);
    await client.call('subscribe', { object: player, type: 'Error' });
    const from = client.received.length;
    await client.invoke(player, 'play');
    const error = await client.waitForEvent('Error', player, from);
    assert.equal(error.params.value.data.type, 'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR');
    assert.match(String(error.params.value.data.description), /outside the media root/);
    assert.doesNotMatch(String(error.params.value.data.description), /outside\/|secret/);
    assert.deepEqual(await aliveStages(), [], 'no GStreamer process started');
  });
});

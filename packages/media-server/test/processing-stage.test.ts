import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import { isH264KeyframeStart, type MediaCodec, type MediaPacket } from '../src/graph/index.js';
import { createJsonLogger } from '../src/logger.js';
import {
  decodeChain,
  encodeChain,
  LEAKY_QUEUE,
  rawConversion,
} from '../src/processing/codecElements.js';
import { ProcessingStage } from '../src/processing/ProcessingStage.js';
import { resolveProcessing } from '../src/server/processingOptions.js';
import { eventually } from './support/server.js';

/**
 * One processing stage driven directly, fed by a third party: gst-launch-1.0 encodes a test
 * picture to VP8 RTP (no keyframe but the first), the stage transcodes it to H.264, and the
 * keyframe requests both ways are checked by counting frames, not by the clock.
 */

const VP8: MediaCodec = { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 };
const H264: MediaCodec = {
  mimeType: 'video/H264',
  payloadType: 102,
  clockRate: 90000,
  parameters: 'packetization-mode=1;profile-level-id=42e01f',
};
const STREAM = 'medley_media';

describe('a GStreamer processing stage', () => {
  let stage: ProcessingStage;
  let source: ChildProcess;
  let input: Socket;
  /** Drops this many of the next source packets (to make the stage's decoder lose a picture). */
  let dropNext = 0;
  /** Output frames (by RTP timestamp) and whether each started with a keyframe. */
  const frames: { timestamp: number; keyframe: boolean }[] = [];

  before(async () => {
    stage = await ProcessingStage.launch({
      python: resolveProcessing().python,
      logger: createJsonLogger('silent'),
      label: 'test transcoder',
    });
    stage.onPacket = (_stream, packet: MediaPacket) => {
      const last = frames.at(-1);
      if (last?.timestamp === packet.timestamp) {
        if (isH264KeyframeStart(packet.payload)) last.keyframe = true;
        return;
      }
      frames.push({ timestamp: packet.timestamp, keyframe: isH264KeyframeStart(packet.payload) });
    };
    await stage.start(
      `${decodeChain(STREAM, VP8)} ! ${rawConversion('video', 'medley_raw')} ! ${LEAKY_QUEUE} ! ` +
        encodeChain(STREAM, H264, { bitrate: 500_000 }),
      [{ name: STREAM, output: H264 }],
    );
    input = createSocket('udp4');
    input.on('message', (datagram) => {
      if (dropNext > 0) {
        dropNext--;
        return;
      }
      stage.send(STREAM, {
        payloadType: (datagram[1] as number) & 0x7f,
        marker: ((datagram[1] as number) & 0x80) !== 0,
        sequenceNumber: datagram.readUInt16BE(2),
        timestamp: datagram.readUInt32BE(4),
        ssrc: datagram.readUInt32BE(8),
        payload: datagram.subarray(12),
        codec: VP8,
      });
    });
    await new Promise<void>((resolve) => input.bind(0, '127.0.0.1', resolve));
    source = spawn(
      'gst-launch-1.0',
      [
        '-q',
        ...`videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc deadline=1 keyframe-max-dist=100000 ! rtpvp8pay pt=96 mtu=1200 ! udpsink host=127.0.0.1 port=${input.address().port}`.split(
          ' ',
        ),
      ],
      { stdio: 'ignore' },
    );
  });

  after(async () => {
    source.kill('SIGKILL');
    input.close();
    await stage.close();
  });

  test('transcodes VP8 from another program to H.264, starting with a keyframe', async () => {
    await eventually(() => (frames.length >= 30 ? true : undefined), 'H.264 frames', 20_000);
    assert.equal(frames.find((frame) => frame.keyframe) !== undefined, true);
    assert.ok(
      frames.slice(5).filter((frame) => frame.keyframe).length <= 1,
      'no keyframes unless asked (keyframe interval 3000)',
    );
  });

  test("a receiver's keyframe request makes the encoder's next frame or the one after a keyframe", async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const asked = frames.length;
      stage.requestKeyframe(STREAM);
      await eventually(
        () => (frames.slice(asked).some((frame) => frame.keyframe) ? true : undefined),
        'a keyframe after the request',
        10_000,
      );
      const delay = frames.slice(asked).findIndex((frame) => frame.keyframe);
      // The request crosses a pipe and reaches the encoder between two frames: at most the frame
      // being encoded, and the one after it, go out before the keyframe.
      assert.ok(delay <= 2, `keyframe ${delay} frames after the request`);
      await eventually(() => (frames.length > asked + 10 ? true : undefined), 'more frames');
    }
  });

  test('a decoder that lost packets asks its own source for a keyframe', async () => {
    let asked = false;
    stage.once('keyframeneeded', () => {
      asked = true;
    });
    dropNext = 5;
    await eventually(() => (asked ? true : undefined), 'keyframe-needed from the stage', 10_000);
  });
});

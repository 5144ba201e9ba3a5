import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { EbmlId, readId, readSize, UNKNOWN_SIZE } from '../src/formats/ebml.js';
import { BufferByteSource } from '../src/playback/BufferByteSource.js';
import type { DemuxedFrame, Demuxer } from '../src/playback/DemuxedMedia.js';
import { WebmDemuxer } from '../src/playback/webm/WebmDemuxer.js';
import { WebmStreamDemuxer } from '../src/playback/webm/WebmStreamDemuxer.js';

/**
 * WebmStreamDemuxer against the file demuxer: the same frames, whatever the chunks the bytes
 * arrive in, from files with sized clusters and from live-written ones (unknown sizes).
 */

const run = promisify(execFile);
let directory: string;
const files: Record<'sized' | 'live' | 'unsized', Buffer> = {
  sized: Buffer.alloc(0),
  live: Buffer.alloc(0),
  unsized: Buffer.alloc(0),
};

/**
 * The file with every Cluster's size written as unknown, as Chrome's MediaRecorder writes them
 * (ffmpeg's live mode leaves only the Segment's size unknown): a cluster then ends where the
 * next top-level element starts.
 */
function withUnsizedClusters(bytes: Buffer): Buffer {
  const segment = bytes.indexOf(Buffer.from([0x18, 0x53, 0x80, 0x67]));
  const segmentSize = readSize(bytes, segment + 4);
  assert.ok(segmentSize);
  let offset = segment + 4 + segmentSize.length;
  const out: Buffer[] = [bytes.subarray(0, offset)];
  while (offset < bytes.length) {
    const id = readId(bytes, offset);
    const size = id && readSize(bytes, offset + id.length);
    assert.ok(id && size && size.value !== undefined);
    const body = offset + id.length + size.length;
    const end = body + size.value;
    out.push(
      id.id === EbmlId.Cluster
        ? Buffer.concat([bytes.subarray(offset, offset + id.length), UNKNOWN_SIZE])
        : bytes.subarray(offset, body),
      bytes.subarray(body, end),
    );
    offset = end;
  }
  return Buffer.concat(out);
}

before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'medley-webm-stream-'));
  const source = ['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=30', '-f', 'lavfi', '-i', 'sine'];
  const codecs = ['-t', '2', '-c:v', 'libvpx', '-g', '15', '-c:a', 'libopus'];
  await Promise.all([
    run('ffmpeg', [
      '-v',
      'error',
      ...source,
      ...codecs,
      '-cluster_time_limit',
      '400',
      join(directory, 'sized.webm'),
    ]),
    run('ffmpeg', [
      '-v',
      'error',
      ...source,
      ...codecs,
      '-live',
      '1',
      '-f',
      'webm',
      join(directory, 'live.webm'),
    ]),
  ]);
  files.sized = await readFile(join(directory, 'sized.webm'));
  files.live = await readFile(join(directory, 'live.webm'));
  files.unsized = withUnsizedClusters(files.live);
});

after(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function collect(demuxer: Demuxer): Promise<string[]> {
  const frames: string[] = [];
  for await (const frame of demuxer.frames(0)) frames.push(describeFrame(frame));
  return frames;
}

function describeFrame(frame: DemuxedFrame): string {
  return `${frame.kind} ${frame.timeMs.toFixed(1)} ${frame.keyframe} ${frame.data.length}`;
}

async function streamed(bytes: Buffer, chunkSize: number): Promise<string[]> {
  const demuxer = new WebmStreamDemuxer();
  const reading = (async () => {
    await demuxer.ready;
    return collect(demuxer);
  })();
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    demuxer.push(bytes.subarray(offset, offset + chunkSize));
  }
  demuxer.end();
  return reading;
}

describe('WebmStreamDemuxer', () => {
  for (const name of ['sized', 'live', 'unsized'] as const) {
    it(`reads the frames the file demuxer reads (${name}), in any chunks`, async () => {
      const bytes = files[name];
      const expected = await collect(await WebmDemuxer.open(new BufferByteSource(bytes)));
      assert.ok(expected.length > 100, `${expected.length} frames`);
      const sortByTime = (frames: string[]) =>
        [...frames].sort((a, b) => Number(a.split(' ')[1]) - Number(b.split(' ')[1]));
      for (const size of [1, 13, 4096, bytes.length]) {
        const frames = await streamed(bytes, size);
        // The file demuxer sorts each cluster by time; the stream hands frames on as they come.
        assert.deepEqual(sortByTime(frames), sortByTime(expected), `chunks of ${size}`);
      }
    });
  }

  it('refuses what is not WebM, and a stream that ends before its tracks', async () => {
    const garbage = new WebmStreamDemuxer();
    garbage.push(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await assert.rejects(garbage.ready, /no EBML header/);
    const cut = new WebmStreamDemuxer();
    cut.push(files.sized.subarray(0, 30));
    cut.end();
    await assert.rejects(cut.ready, /ended before its tracks/);
  });
});

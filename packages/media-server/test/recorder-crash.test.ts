import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { spawnCli } from './support/cliProcess.js';
import { decodedSeconds, decodeErrors, probe } from './support/mediaFiles.js';
import { MediaBrowser, negotiate } from './support/mediaPage.js';
import { RpcClient } from './support/RpcClient.js';

/**
 * A recording survives the server being killed: the media server runs as its CLI in a child
 * process, records from Chromium into MKV and MP4 at once, and gets SIGKILL mid-recording.
 * What was written decodes, up to the last cluster or fragment.
 */

const cliPath = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const RECORD_SECONDS = 4;
const run = promisify(execFile);

let mediaRoot: string;
let child: ChildProcess;
let browser: MediaBrowser;

before(async () => {
  mediaRoot = await mkdtemp(join(tmpdir(), 'medley-crash-'));
  browser = await MediaBrowser.launch();
});

after(async () => {
  child?.kill('SIGKILL');
  await browser?.close();
  await rm(mediaRoot, { recursive: true, force: true });
});

function startCli(): Promise<string> {
  const cli = spawnCli(['--log-level', 'info', '--media-root', mediaRoot]);
  child = cli.child;
  return cli.listening;
}

describe('recording through a crash', () => {
  it('leaves MKV and MP4 files that decode up to the last seconds after SIGKILL', async () => {
    const client = await RpcClient.open(await startCli());
    const page = await browser.newPage();
    const pipeline = await client.create('MediaPipeline');
    const webRtc = await client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    const recorders: Record<string, string> = {};
    for (const [uri, mediaProfile] of [
      ['crash.mkv', 'MKV'],
      ['crash.mp4', 'MP4'],
    ] as const) {
      const recorder = await client.create('RecorderEndpoint', {
        mediaPipeline: pipeline,
        uri,
        mediaProfile,
      });
      await client.call('subscribe', { object: recorder, type: 'Recording' });
      await client.invoke(webRtc, 'connect', { sink: recorder });
      recorders[uri] = recorder;
    }
    const offer = await page.evaluate((options) => window.mediaPage.startSending(options), {
      audio: true,
      video: true,
      preferredVideoCodec: 'H264',
    });
    const stopTrickle = await negotiate(client, page, webRtc, offer);
    for (const recorder of Object.values(recorders)) await client.invoke(recorder, 'record');
    for (const recorder of Object.values(recorders))
      await client.waitForEvent('Recording', recorder);
    await new Promise((resolve) => setTimeout(resolve, RECORD_SECONDS * 1000));

    child.kill('SIGKILL');
    await once(child, 'exit');
    stopTrickle();
    await client.close().catch(() => undefined);
    await page.close();

    for (const uri of Object.keys(recorders)) {
      const path = join(mediaRoot, uri);
      const file = await probe(path);
      assert.deepEqual(
        file.streams.map((stream) => stream.codecName).sort(),
        ['h264', 'opus'],
        `${uri} streams`,
      );
      assert.equal(await decodeErrors(path), '', `${uri} decodes cleanly`);
      const seconds = await decodedSeconds(path);
      console.log(`${uri}: ${seconds.toFixed(2)} s decoded of ~${RECORD_SECONDS} s recorded`);
      assert.ok(seconds >= RECORD_SECONDS - 2, `${uri}: ${seconds} s decoded`);
    }

    // `repair` finishes the WebM/MKV file: Duration and Cues, as `stop` would have written them.
    const mkv = join(mediaRoot, 'crash.mkv');
    assert.ok(!(await readFile(mkv)).includes(CUES_ID), 'the cut file has no Cues');
    assert.ok(!((await formatDuration(mkv)) > 0), 'ffprobe knows no duration of the cut file');
    const repaired = await runRepair([mkv, join(mediaRoot, 'crash.mp4')]);
    assert.equal(repaired.code, 0, repaired.output);
    assert.match(repaired.output, /crash\.mkv: repaired: [\d.]+ s, \d+ clusters, [1-9]\d* cues/);
    assert.match(repaired.output, /crash\.mp4: nothing to do/);
    assert.ok((await readFile(mkv)).includes(CUES_ID), 'the repaired file has Cues');
    const decoded = await decodedSeconds(mkv);
    const duration = await formatDuration(mkv);
    assert.ok(Math.abs(duration - decoded) < 0.2, `duration ${duration} s, decoded ${decoded} s`);
    assert.equal(await decodeErrors(mkv), '', 'the repaired file decodes cleanly');
    const again = await runRepair([mkv]);
    assert.match(again.output, /already complete, left unchanged/);
  });

  it('refuses to repair what it did not write, and leaves it unchanged', async () => {
    const foreign = join(mediaRoot, 'foreign.webm');
    const bytes = Buffer.concat([Buffer.from('1a45dfa3', 'hex'), Buffer.alloc(64, 0x42)]);
    await writeFile(foreign, bytes);
    const result = await runRepair([foreign, join(mediaRoot, 'missing.webm')]);
    assert.equal(result.code, 1);
    assert.match(result.output, /foreign\.webm cannot be repaired .* left unchanged/);
    assert.match(result.output, /missing\.webm: no such file/);
    assert.deepEqual(await readFile(foreign), bytes);
  });
});

/** The EBML id of Cues, as it appears in a file. */
const CUES_ID = Buffer.from('1c53bb6b', 'hex');

async function formatDuration(path: string): Promise<number> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'format=duration',
    '-of',
    'csv=p=0',
    path,
  ]);
  return Number(stdout.trim());
}

async function runRepair(files: string[]): Promise<{ code: number; output: string }> {
  const repair = spawn(process.execPath, ['--import', 'tsx', cliPath, 'repair', ...files], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  repair.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  repair.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const [code] = await once(repair, 'exit');
  return { code: code as number, output };
}

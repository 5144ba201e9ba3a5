import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { browserSuite } from './support/browserSuite.js';
import { eventually } from './support/server.js';
import { stageProcesses } from './support/stageProcesses.js';
import { BrowserPeer } from './transport-harness.js';

/**
 * Composite (MCU) through the Kurento Protocol, with real Chromium participants, each sending
 * one flat colour and one tone: the grid is read off the decoded mixed picture, and each mix is
 * checked to carry the others' tones and not the participant's own.
 */

type Rgb = readonly [number, number, number];

const PARTICIPANTS = {
  red: { colour: '#ff0000', toneHz: 440 },
  blue: { colour: '#0000ff', toneHz: 1000 },
  green: { colour: '#00ff00', toneHz: 2200 },
} as const;
type Name = keyof typeof PARTICIPANTS;

function nameOf([red, green, blue]: Rgb): string {
  if (red > 150 && green < 100 && blue < 100) return 'red';
  if (blue > 150 && red < 100 && green < 100) return 'blue';
  if (green > 150 && red < 100 && blue < 100) return 'green';
  if (red < 40 && green < 40 && blue < 40) return 'black';
  return 'other';
}

/** The middle of each cell of a 2x1 grid and of a 2x2 grid. */
const SIDE_BY_SIDE = [
  [0.25, 0.5],
  [0.75, 0.5],
] as const;
const TWO_BY_TWO = [
  [0.25, 0.25],
  [0.75, 0.25],
  [0.25, 0.75],
  [0.75, 0.75],
] as const;

async function waitForGrid(
  peer: BrowserPeer,
  points: readonly (readonly [number, number])[],
  wanted: readonly string[],
  timeoutMs = 25_000,
): Promise<void> {
  let last = 'no picture';
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const sample = await peer.samplePoints(points);
    last = sample ? sample.map(nameOf).join(' ') : 'no picture';
    if (last === wanted.join(' ')) return;
    await sleep(250);
  }
  assert.fail(`${peer.id} should see the grid ${wanted.join(' ')}, last saw ${last}`);
}

/** A tone counts as heard when it stands well above the analyser's noise floor. */
const AUDIBLE_DB = -60;

async function waitForTones(peer: BrowserPeer, hears: Name[], doesNotHear: Name[]): Promise<void> {
  let levels = '';
  const deadline = Date.now() + 25_000;
  while (Date.now() < deadline) {
    const heard = await Promise.all(hears.map((name) => peer.toneLevel(PARTICIPANTS[name].toneHz)));
    const own = await Promise.all(
      doesNotHear.map((name) => peer.toneLevel(PARTICIPANTS[name].toneHz)),
    );
    levels = `hears ${hears.map((name, i) => `${name} ${heard[i]?.toFixed(0)} dB`).join(', ')}; not ${doesNotHear.map((name, i) => `${name} ${own[i]?.toFixed(0)} dB`).join(', ')}`;
    if (heard.every((level) => level > AUDIBLE_DB) && own.every((level) => level < AUDIBLE_DB - 20))
      return;
    await sleep(250);
  }
  const stats = await peer.stats();
  assert.fail(
    `${peer.id}'s mix is wrong: ${levels} (audio packets received: ${stats.audioPacketsReceived}, energy ${stats.totalAudioEnergy.toFixed(3)})`,
  );
}

describe('Composite', () => {
  const suite = browserSuite();

  async function join(context: TestContext, pipeline: string, composite: string, name: Name) {
    const endpoint = await suite.client.create('WebRtcEndpoint', { mediaPipeline: pipeline });
    const port = await suite.client.create('HubPort', { hub: composite });
    await suite.client.invoke(endpoint, 'connect', { sink: port });
    await suite.client.invoke(port, 'connect', { sink: endpoint });
    const { colour, toneHz } = PARTICIPANTS[name];
    const peer = await BrowserPeer.create(suite.page, name, {
      source: 'synthetic',
      synthetic: { left: colour, right: colour, toneHz },
    });
    context.after(() => peer.close());
    await peer.connectToEndpoint(suite.client, endpoint);
    const leave = async () => {
      await peer.close();
      await suite.client.call('release', { object: port });
      await suite.client.call('release', { object: endpoint });
    };
    return { peer, leave };
  }

  test('mixes a grid and per-participant audio; ports join and leave while it runs', async (context) => {
    const pipeline = await suite.client.create('MediaPipeline');
    context.after(() => suite.client.call('release', { object: pipeline }).catch(() => undefined));
    const before = (await stageProcesses()).length;
    const composite = await suite.client.create('Composite', {
      mediaPipeline: pipeline,
      width: 640,
      height: 480,
      framerate: 15,
    });
    await suite.client.create('HubPort', { hub: composite });
    assert.equal((await stageProcesses()).length, before, 'an idle Composite runs no process');

    const red = await join(context, pipeline, composite, 'red');
    const blue = await join(context, pipeline, composite, 'blue');
    for (const { peer } of [red, blue]) await waitForGrid(peer, SIDE_BY_SIDE, ['red', 'blue']);
    const mixingSince = performance.now();
    await waitForTones(red.peer, ['blue'], ['red']);
    await waitForTones(blue.peer, ['red'], ['blue']);
    assert.equal((await stageProcesses()).length, before + 1, 'one stage mixes the whole room');

    // A port added once the mix has run 2^32 ns (4.3 s) failed once: the stage gave the running
    // time to every "timestamp-offset" of the branch, payloaders' 32-bit RTP one included.
    await sleep(Math.max(0, 4_500 - (performance.now() - mixingSince)));
    const green = await join(context, pipeline, composite, 'green');
    await waitForGrid(red.peer, TWO_BY_TWO, ['red', 'blue', 'green', 'black']);
    await waitForGrid(green.peer, TWO_BY_TWO, ['red', 'blue', 'green', 'black']);
    await waitForTones(green.peer, ['red', 'blue'], ['green']);
    await waitForTones(red.peer, ['blue', 'green'], ['red']);

    // The first participant's mixed stream goes on through the others' comings and goings.
    const framesBefore = (await red.peer.waitForStats((stats) => stats.framesDecoded > 0))
      .framesDecoded;
    await green.leave();
    await waitForGrid(red.peer, SIDE_BY_SIDE, ['red', 'blue']);
    await waitForTones(red.peer, ['blue'], ['red', 'green']);
    await red.peer.waitForStats((stats) => stats.framesDecoded > framesBefore + 15);

    await suite.client.call('release', { object: composite });
    await eventually(
      async () => ((await stageProcesses()).length === before ? true : undefined),
      'the mix process to be reaped after the Composite is released',
      10_000,
    );
  });

  test('refuses a picture size or frame rate it cannot make', async () => {
    const pipeline = await suite.client.create('MediaPipeline');
    try {
      for (const params of [{ width: 0 }, { height: 601 }, { framerate: 0 }, { width: 100_000 }]) {
        const error = await suite.client.failure('create', {
          type: 'Composite',
          constructorParams: { mediaPipeline: pipeline, ...params },
        });
        assert.match(error.message, /Composite '(width|height|framerate)' must be/);
      }
    } finally {
      await suite.client.call('release', { object: pipeline });
    }
  });
});

import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BrowserPeer, PictureSample } from '../transport-harness.js';

/** The plain colours tests paint the halves of a synthetic picture with. */
export type Colour = 'red' | 'green' | 'blue' | 'other';

/** Their CSS values, for the page's synthetic source. */
export const CSS: Record<Exclude<Colour, 'other'>, string> = {
  red: '#ff0000',
  green: '#00ff00',
  blue: '#0000ff',
};

/** The colour a decoded pixel is closest to, with room for the codec's error. */
export function colourOf([red, green, blue]: readonly [number, number, number]): Colour {
  if (red > 150 && green < 100 && blue < 100) return 'red';
  if (green > 150 && red < 100 && blue < 100) return 'green';
  if (blue > 150 && red < 100 && green < 100) return 'blue';
  return 'other';
}

/** `left|right` colours of a picture sample, e.g. `red|blue`. */
export function halves(sample: PictureSample | null): string {
  return sample ? `${colourOf(sample.left)}|${colourOf(sample.right)}` : 'no picture';
}

/** Waits until the peer decodes a picture whose halves are `wanted` (`left|right`). */
export async function waitForPicture(
  peer: BrowserPeer,
  wanted: string,
  timeoutMs = 30_000,
): Promise<void> {
  let last = 'no picture';
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    last = halves(await peer.samplePicture());
    if (last === wanted) return;
    await sleep(200);
  }
  assert.fail(`peer ${peer.id} should decode ${wanted}, last seen ${last}`);
}

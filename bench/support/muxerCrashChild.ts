// A recorder stand-in that bench/muxers.ts kills with SIGKILL: it feeds a clip's frames to one
// muxer in real time (as RTP would bring them) and prints `fed <ms>` after each frame handed over,
// so the parent knows exactly how much media the muxer had been given when the process died.
//
//   node --import tsx bench/support/muxerCrashChild.ts <candidate> <container> <clip> <output>
import { loadFeed } from './clipFrames.js';
import { type Container, mediabunnyCandidate, medleyCandidate } from './muxerCandidates.js';

const [name, container, clip, output] = process.argv.slice(2) as [
  string,
  Container,
  string,
  string,
];
const candidate =
  name === 'medley'
    ? medleyCandidate(container)
    : mediabunnyCandidate(container, { appendOnly: name === 'mediabunny appendOnly' });
const feed = await loadFeed(clip);
const session = await candidate.start(output, feed.tracks);
const clockOf = (kind: string) => (kind === 'video' ? 90000 : 48000);
const startedAt = performance.now();
let fedMs = 0;
for (const frame of feed.frames) {
  const wait = startedAt + frame.timeMs - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const pending = session.write(frame);
  if (pending) await pending;
  fedMs = Math.max(fedMs, ((frame.ticks + frame.durationTicks) * 1000) / clockOf(frame.kind));
  // Writes to a pipe are synchronous on Linux: a line printed is there even after SIGKILL.
  process.stdout.write(`fed ${fedMs.toFixed(1)}\n`);
}
await session.finish();
process.stdout.write('finished\n');

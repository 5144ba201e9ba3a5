// Summarises a V8 CPU profile (node --cpu-prof) of the media server by where the time goes:
// self time per category of code, and the top functions.
//
//   npx tsx bench/fanout/profileSummary.ts <file.cpuprofile> [--top 15]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
  };
  readonly hitCount?: number;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
}

/** First matching rule names the category of a function; order matters. */
const CATEGORIES: readonly [string, (node: ProfileNode) => boolean][] = [
  ['GC', (node) => node.callFrame.functionName === '(garbage collector)'],
  ['idle', (node) => ['(idle)', '(program)'].includes(node.callFrame.functionName)],
  [
    'SRTP encryption (node:crypto)',
    (node) =>
      /Cipher|createCipheriv|getAuthTag|setAAD|final|update/.test(node.callFrame.functionName) &&
      /crypto|^$/.test(node.callFrame.url),
  ],
  [
    'native SRTP (encrypt + sendmsg in the addon)',
    (node) =>
      /^(send|setDestination|createSender)$/.test(node.callFrame.functionName) &&
      node.callFrame.url === '',
  ],
  [
    'UDP send',
    (node) =>
      /dgram|udp/.test(node.callFrame.url) ||
      (/^(send|doSend|sendTo|afterDns|lookup4)$/.test(node.callFrame.functionName) &&
        node.callFrame.url.startsWith('node:')),
  ],
  ['werift SRTP/SRTCP', (node) => /werift\/lib\/rtp\/src\/srtp/.test(node.callFrame.url)],
  [
    'werift RTP/RTCP sender & receiver',
    (node) => /werift\/lib\/webrtc\/src\/media/.test(node.callFrame.url),
  ],
  [
    'werift ICE/DTLS/transport',
    (node) => /werift\/lib\/(ice|dtls|webrtc\/src\/transport)/.test(node.callFrame.url),
  ],
  ['werift other', (node) => /werift/.test(node.callFrame.url)],
  [
    'medley direct send path',
    (node) => /media-server\/dist\/transport\/(srtp|DirectRtpSender)/.test(node.callFrame.url),
  ],
  ['medley transport', (node) => /media-server\/dist\/transport/.test(node.callFrame.url)],
  ['medley graph', (node) => /media-server\/dist\/graph/.test(node.callFrame.url)],
  ['medley other', (node) => /media-server\/dist/.test(node.callFrame.url)],
  ['Node internals', (node) => node.callFrame.url.startsWith('node:')],
];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '15' } },
});
const file = positionals[0];
if (!file) {
  console.error('usage: profileSummary.ts <file.cpuprofile> [--top N]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const hits = new Map<number, number>();
for (const sample of profile.samples) hits.set(sample, (hits.get(sample) ?? 0) + 1);

const categories = new Map<string, number>();
const functions = new Map<string, number>();
let busy = 0;
for (const [id, count] of hits) {
  const node = byId.get(id);
  if (!node) continue;
  const category = CATEGORIES.find(([, matches]) => matches(node))?.[0] ?? 'other JS';
  categories.set(category, (categories.get(category) ?? 0) + count);
  if (category === 'idle') continue;
  busy += count;
  const { functionName, url, lineNumber } = node.callFrame;
  const name = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^.*packages\//, '')}:${lineNumber + 1}`;
  functions.set(name, (functions.get(name) ?? 0) + count);
}
const share = (count: number) => `${((count / busy) * 100).toFixed(1)}%`;
console.log(`busy samples: ${busy} (idle excluded)`);
for (const [category, count] of [...categories].sort((a, b) => b[1] - a[1])) {
  if (category !== 'idle') console.log(`  ${share(count).padStart(6)}  ${category}`);
}
console.log('top functions (self time):');
for (const [name, count] of [...functions]
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(values.top))) {
  console.log(`  ${share(count).padStart(6)}  ${name}`);
}

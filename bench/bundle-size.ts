// Bundle sizes of @medley/webrtc-peer, minified and gzipped, beside the dependencies the UMD
// bundles carry (the baseline: what a page pays for webrtc-adapter and sdp-transform anyway).
// Run after `npm run build`:  npx tsx bench/bundle-size.ts
// Exits with 1 when the ESM build breaks its budget (8 KB gzipped, dependencies excluded), or
// the WHIP/WHEP entry (whip.mjs, `@medley/webrtc-peer/whip`) breaks its own (5 KB gzipped: what a
// WHIP page pays in all, as it needs neither dependency).
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import commonjsPlugin from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import { minify } from 'terser';

// The plugin's types describe its CommonJS build while Node loads its ES build here: the default
// import is the plugin function itself.
const commonjs = commonjsPlugin as unknown as typeof commonjsPlugin.default;

const dist = join(dirname(fileURLToPath(import.meta.url)), '../packages/webrtc-peer/dist');
const esmBudgetBytes = 8 * 1024;
const whipBudgetBytes = 5 * 1024;

interface Row {
  artifact: string;
  minified: number;
  gzipped: number;
}

async function measure(artifact: string, minifiedCode: string): Promise<Row> {
  const minified = Buffer.byteLength(minifiedCode);
  return { artifact, minified, gzipped: gzipSync(minifiedCode, { level: 9 }).length };
}

/** index.mjs leaves webrtc-adapter and sdp-transform as imports: only our code is counted. */
async function esmBuild(file = 'index.mjs'): Promise<Row> {
  const source = await readFile(join(dist, file), 'utf8');
  const { code } = await minify(source, { module: true, compress: true, mangle: true });
  return measure(`${file} (ESM, minified here)`, code ?? '');
}

async function prebuilt(file: string): Promise<Row> {
  return measure(file, await readFile(join(dist, file), 'utf8'));
}

/** A dependency bundled and minified the way rollup.config.ts builds the UMD bundles. */
async function dependency(name: string, entry: string): Promise<Row> {
  const virtualEntry = '\0entry';
  const bundle = await rollup({
    input: virtualEntry,
    plugins: [
      {
        name: 'entry',
        resolveId: (id) => (id === virtualEntry ? id : null),
        load: (id) => (id === virtualEntry ? entry : null),
      },
      nodeResolve({ browser: true }),
      commonjs(),
    ],
  });
  const { output } = await bundle.generate({ format: 'iife', name: 'dependency' });
  await bundle.close();
  const { code } = await minify(output[0].code, { compress: true, mangle: true });
  return measure(`${name} (baseline, bundled alone)`, code ?? '');
}

const kilobytes = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;

const rows = [
  await esmBuild(),
  await esmBuild('whip.mjs'),
  await prebuilt('medley-webrtc-peer.umd.min.js'),
  await prebuilt('kurento-utils.min.js'),
  await dependency('webrtc-adapter', "import adapter from 'webrtc-adapter'; export { adapter };"),
  await dependency('sdp-transform', "export { parse } from 'sdp-transform';"),
];

const width = Math.max(...rows.map((row) => row.artifact.length));
console.log(`${'artifact'.padEnd(width)}  ${'minified'.padStart(10)}  ${'gzipped'.padStart(10)}`);
for (const row of rows) {
  console.log(
    `${row.artifact.padEnd(width)}  ${kilobytes(row.minified).padStart(10)}  ${kilobytes(row.gzipped).padStart(10)}`,
  );
}

console.log('');
for (const [row, budget, what] of [
  [rows[0], esmBudgetBytes, 'ESM'],
  [rows[1], whipBudgetBytes, 'WHIP/WHEP ESM'],
] as const) {
  const within = (row as Row).gzipped <= budget;
  console.log(
    `${what} budget: ${kilobytes((row as Row).gzipped)} of ${kilobytes(budget)} gzipped (${within ? 'within' : 'OVER'})`,
  );
  if (!within) process.exitCode = 1;
}

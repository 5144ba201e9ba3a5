// Browser bundles. `tsc -b` first compiles each browser package to ES modules in dist/esm and
// declarations in dist/types; rollup then bundles those into the files package.json points at:
//   index.mjs / index.cjs    for bundlers and Node (dependencies stay external, so apps dedupe them)
//   *.umd.min.js             for a plain <script> tag (dependencies bundled in, minified)
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import type { OutputOptions, RollupOptions } from 'rollup';

interface BrowserPackage {
  folder: string;
  /** Modules left out of the ESM/CJS builds: the app's bundler resolves them once for all. */
  external: string[];
  /**
   * Entry points besides index.js, each its own index-free ESM/CJS bundle (`<name>.mjs`,
   * `<name>.cjs`), so that a page importing one pays for nothing else.
   */
  subpaths?: Array<{ entry: string; name: string }>;
  umd: Array<{ entry: string; file: string; globalName: string }>;
}

const browserPackages: BrowserPackage[] = [
  {
    folder: 'packages/webrtc-peer',
    external: ['webrtc-adapter', 'sdp-transform'],
    subpaths: [{ entry: 'whip/index.js', name: 'whip' }],
    umd: [
      { entry: 'umd.js', file: 'medley-webrtc-peer.umd.min.js', globalName: 'medley' },
      { entry: 'kurento-utils.js', file: 'kurento-utils.min.js', globalName: 'kurentoUtils' },
    ],
  },
  {
    folder: 'packages/signaling',
    external: ['socket.io-client'],
    umd: [
      { entry: 'index.js', file: 'medley-signaling.umd.min.js', globalName: 'medleySignaling' },
    ],
  },
];

/**
 * Node-only entry points, each bundled into one .mjs file: their packages are not
 * "type": "module", so tsc's .js output would load as CommonJS in Node.
 */
const nodeEntries: Array<{ input: string; file: string; external: string[] }> = [
  {
    input: 'packages/signaling/dist/esm/server/index.js',
    file: 'packages/signaling/dist/server/index.mjs',
    external: ['socket.io', 'ioredis', '@socket.io/redis-streams-adapter'],
  },
];

const isExternal = (external: string[]) => (id: string) =>
  external.some((name) => id === name || id.startsWith(`${name}/`));

function libraryBuild(pkg: BrowserPackage, entry = 'index.js', name = 'index'): RollupOptions {
  const output: OutputOptions[] = [
    { file: `${pkg.folder}/dist/${name}.mjs`, format: 'es', sourcemap: true },
    { file: `${pkg.folder}/dist/${name}.cjs`, format: 'cjs', sourcemap: true, exports: 'named' },
  ];
  return {
    input: `${pkg.folder}/dist/esm/${entry}`,
    external: isExternal(pkg.external),
    output,
  };
}

function scriptTagBuild(pkg: BrowserPackage, umd: BrowserPackage['umd'][number]): RollupOptions {
  return {
    input: `${pkg.folder}/dist/esm/${umd.entry}`,
    plugins: [nodeResolve({ browser: true }), commonjs()],
    output: {
      file: `${pkg.folder}/dist/${umd.file}`,
      format: 'umd',
      name: umd.globalName,
      sourcemap: true,
      plugins: [terser()],
    },
  };
}

function nodeBuild(entry: (typeof nodeEntries)[number]): RollupOptions {
  return {
    input: entry.input,
    external: (id) => id.startsWith('node:') || isExternal(entry.external)(id),
    output: { file: entry.file, format: 'es', sourcemap: true },
  };
}

export default [
  ...browserPackages.flatMap((pkg) => [
    libraryBuild(pkg),
    ...(pkg.subpaths ?? []).map((subpath) => libraryBuild(pkg, subpath.entry, subpath.name)),
    ...pkg.umd.map((umd) => scriptTagBuild(pkg, umd)),
  ]),
  ...nodeEntries.map(nodeBuild),
];

#!/usr/bin/env -S node --max-semi-space-size=4
// --max-semi-space-size=4 (MB): V8's young generation otherwise grows to 3 x 16 MB under the
// steady allocation of forwarding, ~25 MB of RSS that a media server does not need (BENCHMARKS.md,
// "Memory per subscriber"). It must be given when Node starts: set at run time it is ignored.
// The published entry point. It is a committed file, not a build output, so that npm can link
// `medley-media-server` when it installs the workspace, before the build has made dist/.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    'medley-media-server: dist/cli.js is missing; build the media server first (npm run build at the repository root).\n',
  );
  process.exit(1);
}
await import(cli.href);

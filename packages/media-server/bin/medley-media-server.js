#!/usr/bin/env node
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

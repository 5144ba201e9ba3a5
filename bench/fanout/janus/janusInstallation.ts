// Where Debian's janus package put its executable and the two modules the benchmark loads.
import { execFile } from 'node:child_process';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { JanusBenchError } from './errors.js';

const run = promisify(execFile);

export interface JanusModules {
  readonly executable: string;
  readonly streamingPlugin: string;
  readonly httpTransport: string;
}

export async function findJanusModules(): Promise<JanusModules> {
  const executable = await run('sh', ['-c', 'command -v janus']).then(
    ({ stdout }) => stdout.trim(),
    () => '',
  );
  const libraryRoot = executable ? await findLibraryRoot() : undefined;
  if (!executable || !libraryRoot) {
    throw new JanusBenchError(
      'JANUS_MISSING',
      'Janus is not installed: run bench/fanout/janus/install.sh (apt-get install janus).',
    );
  }
  return {
    executable,
    streamingPlugin: join(libraryRoot, 'plugins', 'libjanus_streaming.so'),
    httpTransport: join(libraryRoot, 'transports', 'libjanus_http.so'),
  };
}

/** /usr/lib/<multiarch>/janus on Debian; /usr/lib/janus or /usr/local/lib/janus elsewhere. */
async function findLibraryRoot(): Promise<string | undefined> {
  const multiarch = await readdir('/usr/lib').catch(() => [] as string[]);
  const candidates = [
    ...multiarch.map((name) => join('/usr/lib', name, 'janus')),
    '/usr/lib/janus',
    '/usr/local/lib/janus',
    '/opt/janus/lib/janus',
  ];
  for (const root of candidates) {
    const hasBoth = await Promise.all([
      access(join(root, 'plugins', 'libjanus_streaming.so')),
      access(join(root, 'transports', 'libjanus_http.so')),
    ]).then(
      () => true,
      () => false,
    );
    if (hasBoth) return root;
  }
  return undefined;
}

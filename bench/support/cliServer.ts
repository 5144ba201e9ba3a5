import type { ChildProcess } from 'node:child_process';
import { spawnCli } from '../../packages/media-server/test/support/cliProcess.js';

/**
 * The media server as its CLI in a child process (so its CPU is its own), with `--media-root`;
 * resolves once it listens, with its Kurento URL.
 */
export async function startCliServer(
  mediaRoot: string,
): Promise<{ url: string; child: ChildProcess }> {
  const { child, listening } = spawnCli(['--log-level', 'info', '--media-root', mediaRoot]);
  return { url: await listening, child };
}

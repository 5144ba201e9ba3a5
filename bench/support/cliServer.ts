import { type ChildProcess, spawn } from 'node:child_process';

const cliPath = new URL('../../packages/media-server/src/cli.ts', import.meta.url).pathname;

/**
 * The media server as its CLI in a child process (so its CPU is its own), with `--media-root`;
 * resolves once it listens, with its Kurento URL.
 */
export async function startCliServer(
  mediaRoot: string,
): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', cliPath, '--port', '0', '--log-level', 'info', '--media-root', mediaRoot],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /"msg":"media server listening".*?"url":"([^"]+)"/.exec(buffered);
      if (match?.[1]) resolve(match[1]);
      if (buffered.length > 100_000) buffered = buffered.slice(-10_000);
    });
    child.once('exit', () => reject(new Error(`the server exited: ${buffered}`)));
  });
  return { url, child };
}

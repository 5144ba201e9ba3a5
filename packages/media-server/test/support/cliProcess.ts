import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cliPath = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/** Kept of the CLI's log while waiting for it to listen (it is read for its whole life). */
const MAX_BUFFERED_LOG = 100_000;

/** A media server CLI started from its sources in a child process. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** The Kurento URL, once the CLI logs that it listens; rejects if it exits first. */
  readonly listening: Promise<string>;
}

/**
 * Starts the CLI with `args` (after `--port 0`) and `env` over this process's environment. The
 * child is returned at once, so a caller can kill it even if it never comes to listen.
 */
export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', cliPath, '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const listening = new Promise<string>((resolve, reject) => {
    let buffered = '';
    // Read for the child's whole life, even once it listens: a full pipe would stall it.
    child.stderr?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /"msg":"media server listening".*?"url":"([^"]+)"/.exec(buffered);
      if (match?.[1]) resolve(match[1]);
      if (buffered.length > MAX_BUFFERED_LOG) buffered = buffered.slice(-10_000);
    });
    child.once('exit', () => reject(new Error(`the CLI exited before listening: ${buffered}`)));
  });
  return { child, listening };
}

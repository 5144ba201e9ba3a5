import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { e2eMediaRoot, repositoryRoot } from './paths.js';

/** Where each child server's log goes, to read after a failure. */
const logFolder = join(repositoryRoot, 'test-results', 'e2e-child-servers');
let started = 0;

/** A server the test started as a process of its own, and what its log said it listens on. */
export interface ChildServer {
  readonly child: ChildProcess;
  /** The URL read off its start-up log line. */
  readonly url: string;
  /** SIGKILLs it (as a crash would) and waits for it to be gone. */
  kill(): Promise<void>;
}

/**
 * Starts `node <script> ...args` at the repository root and resolves once a line of its stderr
 * matches `listening` (whose first group is the URL), or rejects with its output if it exits.
 */
export async function startChildServer(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  listening: RegExp,
): Promise<ChildServer> {
  const child = spawn(process.execPath, [script, ...args], {
    cwd: repositoryRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  mkdirSync(logFolder, { recursive: true });
  const logFile = join(logFolder, `${++started}-${basename(script, '.js')}-${child.pid}.log`);
  child.stderr?.pipe(createWriteStream(logFile));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = listening.exec(output);
      if (match?.[1]) resolve(match[1]);
      if (output.length > 200_000) output = output.slice(-20_000);
    });
    child.once('exit', (code) =>
      reject(new Error(`${script} exited (${code}); its log: ${logFile}\n${output}`)),
    );
  });
  return {
    child,
    url,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The media server's CLI on a free loopback port, with `extraArgs` (e.g. a grace period). */
export function startMediaServerProcess(extraArgs: readonly string[] = []): Promise<ChildServer> {
  return startChildServer(
    'packages/media-server/dist/cli.js',
    [
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--log-level',
      'info',
      '--media-root',
      e2eMediaRoot,
      ...extraArgs,
    ],
    {},
    /"msg":"media server listening".*?"url":"([^"]+)"/,
  );
}

/** The demo app server on a free port, with `env` (MEDIA_SERVER_URLS, REDIS_URL, ...). */
export function startDemoAppServerProcess(env: NodeJS.ProcessEnv): Promise<ChildServer> {
  return startChildServer(
    'demos/dist/server/main.js',
    [],
    { PORT: '0', HOST: '127.0.0.1', SESSION_GRACE_MS: '3000', ...env },
    /"message":"Medley demos at (http:\/\/[^/"]+)\//,
  );
}

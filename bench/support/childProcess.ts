import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';

export interface StartedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** The match of `readyLine` in the process's stderr. */
  readonly ready: RegExpExecArray;
  stop(): Promise<void>;
}

/**
 * Spawns `node <args>` and resolves once its stderr shows `readyLine` (servers log their URL
 * there). Fails if the process exits first or takes longer than `timeoutMs`.
 */
export function startNodeProcess(
  args: readonly string[],
  readyLine: RegExp,
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<StartedProcess> {
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} was not ready after ${options.timeoutMs} ms`));
    }, options.timeoutMs ?? 20_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`node ${args.join(' ')} exited (${code}) before it was ready: ${buffered}`));
    };
    child.once('exit', onExit);
    child.stderr?.on('data', (chunk: Buffer) => {
      buffered = (buffered + chunk.toString()).slice(-20_000);
      const ready = readyLine.exec(buffered);
      if (!ready) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stderr?.removeAllListeners('data');
      child.stderr?.resume();
      resolve({ child, pid: child.pid as number, ready, stop: () => stopProcess(child) });
    });
  });
}

/** `signal` (a clean shutdown), then SIGKILL if the process has not exited within `graceMs`. */
export function stopProcess(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 2000,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/**
 * Gives every thread of these processes a nice value (negative = first claim on the CPU), as a
 * media host would give its server. Linux schedules threads, not processes: a server with two
 * busy threads otherwise gets twice the share of a one-thread server when the load generators on
 * the same cores keep the machine busy. Threads created later inherit it from their creator.
 */
export function setSchedulingPriority(pids: readonly number[], nice: number): void {
  for (const pid of pids) {
    let threads: string[];
    try {
      threads = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // the process is gone
    }
    for (const thread of threads) {
      try {
        setPriority(Number(thread), nice);
      } catch {
        // the thread ended meanwhile
      }
    }
  }
}

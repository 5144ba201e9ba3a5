import { type ChildProcess, fork } from 'node:child_process';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Message {
  readonly type: string;
}

/** A TypeScript entry run as a child process (through tsx), with typed IPC both ways. */
export class ForkedProcess<ToChild extends Message, FromChild extends Message> {
  readonly #child: ChildProcess;
  readonly #listeners = new Set<(message: FromChild) => void>();
  readonly #name: string;
  /** Waits for a message, failed at once when the process exits. */
  readonly #onExit = new Set<(code: number | null) => void>();
  #exitCode: number | null | undefined;

  constructor(entry: URL, args: readonly string[] = []) {
    this.#name = basename(entry.pathname);
    this.#child = fork(fileURLToPath(entry), [...args], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child.on('message', (message: FromChild) => {
      for (const listener of this.#listeners) listener(message);
    });
    this.#child.once('exit', (code) => {
      this.#exitCode = code;
      for (const fail of this.#onExit) fail(code);
    });
  }

  get pid(): number {
    const pid = this.#child.pid;
    if (pid === undefined) throw new Error('the child process did not start');
    return pid;
  }

  send(message: ToChild): void {
    if (this.#child.connected) this.#child.send(message);
  }

  onMessage(listener: (message: FromChild) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The next message of `type` that `accept` takes, or an Error after `timeoutMs`. */
  next<Type extends FromChild['type']>(
    type: Type,
    accept: (message: Extract<FromChild, { type: Type }>) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<Extract<FromChild, { type: Type }>> {
    return new Promise((resolve, reject) => {
      const fail = (reason: string) => {
        clearTimeout(timer);
        stopListening();
        this.#onExit.delete(onExit);
        reject(new Error(`no '${type}' message from ${this.#name}: ${reason}`));
      };
      const onExit = (code: number | null) => fail(`it exited (${code})`);
      const timer = setTimeout(() => fail(`none in ${timeoutMs} ms`), timeoutMs);
      const stopListening = this.onMessage((message) => {
        if (message.type !== type) return;
        const typed = message as Extract<FromChild, { type: Type }>;
        if (!accept(typed)) return;
        clearTimeout(timer);
        stopListening();
        this.#onExit.delete(onExit);
        resolve(typed);
      });
      if (this.#exitCode !== undefined) onExit(this.#exitCode);
      else this.#onExit.add(onExit);
    });
  }

  /** Ends the process at once (its state is not needed any more). */
  kill(): void {
    this.#child.kill('SIGKILL');
  }
}

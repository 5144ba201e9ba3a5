import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { TypedEventEmitter } from '../graph/TypedEventEmitter.js';
import type { Logger } from '../logger.js';
import { ProcessingError } from './ProcessingError.js';

/** The helper that runs one GStreamer pipeline (see gst/medley_gst_stage.py for its protocol). */
export const STAGE_SCRIPT = fileURLToPath(
  new URL('../../gst/medley_gst_stage.py', import.meta.url),
);

/** How long a stage may take to answer a request before it counts as stuck. */
const REQUEST_TIMEOUT_MS = 10_000;
/** After `stop`, how long the process gets to exit before SIGKILL. */
const EXIT_GRACE_MS = 2_000;

export interface GstStageProcessOptions {
  /** The Python 3 interpreter that has PyGObject and GStreamer's introspection data. */
  readonly python: string;
  readonly logger: Logger;
  /** For logs and error messages, e.g. `GStreamerFilter 1a2b…` or `transcoder VP8→H264`. */
  readonly label: string;
  /**
   * Open descriptors of this process the stage inherits as its fds 3, 4, …: a file the server
   * opened and checked, which the pipeline reads as `/proc/self/fd/3` (so no path is resolved
   * again in the child). The caller may close its own once the stage is launched.
   */
  readonly inheritedFiles?: readonly number[];
}

/** Something the stage reported on its own (not an answer to a request). */
export type StageEvent =
  | { readonly event: 'ready'; readonly version: string }
  | {
      readonly event: 'error';
      readonly element: string | null;
      readonly message: string;
      readonly debug: string | null;
    }
  | { readonly event: 'keyframe-needed'; readonly stream: string }
  | { readonly event: 'eos' }
  | {
      readonly event: 'element-message';
      readonly element: string | null;
      readonly structure: Readonly<Record<string, unknown>>;
    };

export interface GstStageProcessEvents {
  [event: string]: unknown[];
  stageevent: [StageEvent];
  /** The process is gone; `expected` is false when it died on its own (crash, kill). */
  exit: [{ readonly expected: boolean; readonly description: string }];
}

interface PendingRequest {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

interface StageAnswer {
  readonly id: number;
  readonly ok: boolean;
  readonly value?: unknown;
  readonly code?: string;
  readonly message?: string;
}

/**
 * One GStreamer helper process and its JSON-lines control channel. This is the only place that
 * spawns GStreamer: it starts the process, matches answers to requests, reports the process's
 * own events, and always reaps it (stop, then SIGKILL if it does not exit). A stage that dies
 * or hangs rejects what is pending and emits `exit`; it never throws into the server.
 */
export class GstStageProcess extends TypedEventEmitter<GstStageProcessEvents> {
  readonly label: string;
  readonly #child: ChildProcess;
  readonly #logger: Logger;
  readonly #pending = new Map<number, PendingRequest>();
  readonly #ready: Promise<void>;
  readonly #exited: Promise<void>;
  #nextId = 1;
  #closing = false;
  #exitDescription: string | undefined;

  constructor(options: GstStageProcessOptions) {
    super();
    this.label = options.label;
    this.#logger = options.logger.child({ stage: options.label });
    this.#child = spawn(options.python, [STAGE_SCRIPT], {
      stdio: ['pipe', 'pipe', 'pipe', ...(options.inheritedFiles ?? [])],
      env: stageEnvironment(),
    });
    let markReady: () => void = () => {};
    let failReady: (error: Error) => void = () => {};
    this.#ready = new Promise((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    this.#ready.catch(() => undefined);
    this.#exited = new Promise((resolve) => this.#child.once('close', () => resolve()));
    this.#child.on('error', (error) => {
      failReady(
        new ProcessingError(
          'STAGE_START_FAILED',
          `Cannot start GStreamer (${options.python} ${STAGE_SCRIPT}): ${error.message}. Install python3-gst-1.0 and the GStreamer plugins (scripts/install-system-deps.sh).`,
        ),
      );
    });
    this.#child.once('exit', (code, signal) => {
      const description = signal ? `killed by ${signal}` : `exited with code ${code}`;
      this.#exitDescription = description;
      const error = new ProcessingError('STAGE_EXITED', `${this.label}: GStreamer ${description}`);
      failReady(error);
      for (const pending of this.#pending.values()) {
        clearTimeout(pending.timer);
        pending.reject(error);
      }
      this.#pending.clear();
      this.emit('exit', { expected: this.#closing, description });
    });
    this.#child.stdin?.on('error', () => undefined);
    const stdout = this.#child.stdout;
    if (stdout) {
      createInterface({ input: stdout }).on('line', (line) => {
        const message = parseLine(line);
        if (!message) {
          this.#logger.warn('unreadable line from the GStreamer stage', {
            line: line.slice(0, 200),
          });
        } else if ('event' in message) {
          if (message.event === 'ready') markReady();
          this.emit('stageevent', message as StageEvent);
        } else {
          this.#answer(message as unknown as StageAnswer);
        }
      });
    }
    const stderr = this.#child.stderr;
    if (stderr) {
      createInterface({ input: stderr }).on('line', (line) =>
        this.#logger.debug('gstreamer', { line: line.slice(0, 500) }),
      );
    }
  }

  /** The operating-system process id (for CPU accounting and tests). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Whether the process is gone. */
  get exited(): boolean {
    return this.#exitDescription !== undefined;
  }

  /** Resolves once the helper has loaded GStreamer and reads requests. */
  ready(): Promise<void> {
    return this.#ready;
  }

  /**
   * Sends one request and resolves with its answer's value.
   * @throws ProcessingError with the stage's code (ELEMENT_NOT_ALLOWED, PARSE_ERROR, ...), or
   *   STAGE_EXITED / STAGE_TIMEOUT when the process died or did not answer in time.
   */
  async request(op: string, params: Record<string, unknown> = {}): Promise<unknown> {
    await this.#ready;
    if (this.exited || this.#closing)
      throw new ProcessingError('STAGE_EXITED', `${this.label}: the GStreamer process is gone`);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(
          new ProcessingError(
            'STAGE_TIMEOUT',
            `${this.label}: GStreamer did not answer '${op}' within ${REQUEST_TIMEOUT_MS} ms`,
          ),
        );
        this.#logger.warn('GStreamer stage stuck; killing it', { op });
        this.#child.kill('SIGKILL');
      }, REQUEST_TIMEOUT_MS);
      timer.unref();
      this.#pending.set(id, { resolve, reject, timer });
      this.#child.stdin?.write(`${JSON.stringify({ id, op, ...params })}\n`);
    });
  }

  /** Cumulative CPU time of the process in seconds (user + system), from /proc; 0 if unknown. */
  async cpuSeconds(): Promise<number> {
    if (this.exited || this.pid === undefined) return 0;
    try {
      return parseProcStatCpu(await readFile(`/proc/${this.pid}/stat`, 'utf8'));
    } catch {
      return 0;
    }
  }

  /**
   * Stops the pipeline and reaps the process: a polite `stop`, SIGKILL if it has not exited
   * after {@link EXIT_GRACE_MS}. Resolves once the process is gone. Idempotent.
   */
  async close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      if (!this.exited) {
        this.#child.stdin?.end(`${JSON.stringify({ id: 0, op: 'stop' })}\n`);
        const kill = setTimeout(() => this.#child.kill('SIGKILL'), EXIT_GRACE_MS);
        kill.unref();
        this.#exited.finally(() => clearTimeout(kill));
      }
    }
    if (this.#child.pid === undefined) return;
    await this.#exited;
  }

  #answer(message: StageAnswer): void {
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#pending.delete(message.id);
    clearTimeout(pending.timer);
    if (message.ok) pending.resolve(message.value);
    else
      pending.reject(
        new ProcessingError(
          'STAGE_REFUSED',
          message.message ?? 'refused',
          message.code ?? 'UNKNOWN',
        ),
      );
  }
}

/** GStreamer reads its plugin registry once per process; keep the operator's settings, no more. */
function stageEnvironment(): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'GST_DEBUG', 'GST_PLUGIN_PATH', 'GST_REGISTRY'];
  const environment: NodeJS.ProcessEnv = { PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' };
  for (const name of keep)
    if (process.env[name] !== undefined) environment[name] = process.env[name];
  return environment;
}

function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** utime + stime (fields 14 and 15 of /proc/PID/stat, after the parenthesised name) in seconds. */
export function parseProcStatCpu(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? ticks / CLOCK_TICKS_PER_SECOND : 0;
}

/** sysconf(_SC_CLK_TCK): 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

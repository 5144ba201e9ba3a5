import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  connect,
  type MediaClient,
  type MediaPipeline,
  type WebRtcEndpoint,
} from '../../../packages/media-client/src/index.js';
import { stopProcess } from '../../support/childProcess.js';
import { InspectorSession } from '../../support/inspector.js';
import type { PublisherEntry, ServerHeapUsage, SubscriberSession, Target } from './Target.js';

const ownPackageRoot = fileURLToPath(new URL('../../../packages/media-server/', import.meta.url));
const HEAP_SNAPSHOT_SIGNAL = 'SIGUSR2';

/** How the server is started: its send path, encryption workers and admission limit. */
export interface MedleyServerMode {
  readonly name: string;
  /**
   * `--send-path`: `werift` is the path before the direct one (the "before" of the profile),
   * `direct` the direct path in JavaScript, `native` the direct path through the C addon.
   */
  readonly sendPath: 'native' | 'direct' | 'werift';
  readonly sendWorkers: number;
  /** `--max-load`: 1 lets the ramp find the loss limit; below 1 shows admission control. */
  readonly maxLoad: number;
  /** The media server package to run (ending in `/`); default this tree's. */
  readonly packageRoot?: string;
}

/**
 * The Medley media server as users run it (its built CLI, in its own process): one pipeline, the
 * publisher's WebRtcEndpoint, and one WebRtcEndpoint per subscriber connected from it.
 */
export class MedleyTarget implements Target {
  readonly name: string;
  readonly #mode: MedleyServerMode;
  #server: ChildProcess | undefined;
  #client: MediaClient | undefined;
  #pipeline: MediaPipeline | undefined;
  #publisherEndpoint: WebRtcEndpoint | undefined;
  #inspector: InspectorSession | undefined;

  constructor(
    mode: MedleyServerMode = { name: 'medley', sendPath: 'native', sendWorkers: 0, maxLoad: 1 },
  ) {
    this.#mode = mode;
    this.name = mode.name;
  }

  async start(): Promise<void> {
    const server = await spawnMedleyServer(this.#mode);
    this.#server = server.child;
    if (server.inspectorUrl) this.#inspector = await InspectorSession.open(server.inspectorUrl);
    this.#client = await connect(server.url);
    this.#pipeline = await this.#client.create('MediaPipeline');
    this.#publisherEndpoint = await this.#pipeline.create('WebRtcEndpoint');
  }

  async heapUsage(): Promise<ServerHeapUsage | undefined> {
    const inspector = this.#inspector;
    if (!inspector) return undefined;
    const asIs = await inspector.heapUsage();
    const live = await inspector.heapAfterGarbageCollection();
    return { asIs, live };
  }

  publisherEntry(): PublisherEntry {
    const endpoint = this.#required(this.#publisherEndpoint);
    return { kind: 'webrtc', acceptOffer: (offer) => endpoint.processOffer(offer) };
  }

  async openSubscriber(): Promise<SubscriberSession> {
    const pipeline = this.#required(this.#pipeline);
    const endpoint = await pipeline.create('WebRtcEndpoint');
    await this.#required(this.#publisherEndpoint).connect(endpoint);
    const offer = await endpoint.generateOffer();
    return {
      route: { kind: 'webrtc', offer },
      answer: async (answer) => {
        await endpoint.processAnswer(answer);
      },
      close: () => endpoint.release(),
    };
  }

  serverPids(): readonly number[] {
    return this.#server?.pid === undefined ? [] : [this.#server.pid];
  }

  async writeHeapSnapshot(): Promise<string | undefined> {
    const directory = process.env.MEDLEY_BENCH_HEAP_SNAPSHOT;
    const pid = this.#server?.pid;
    if (!directory || pid === undefined) return undefined;
    const written = new Set(readdirSync(directory));
    process.kill(pid, HEAP_SNAPSHOT_SIGNAL);
    let snapshot: string | undefined;
    while (snapshot === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      snapshot = readdirSync(directory).find(
        (name) => !written.has(name) && name.includes(`.${pid}.`) && name.endsWith('.heapsnapshot'),
      );
    }
    // The server writes it on its main thread, for tens of seconds at a few hundred
    // subscribers: it is complete once the JSON is closed.
    const path = `${directory}/${snapshot}`;
    while (!endsWith(path, ']}')) await new Promise((resolve) => setTimeout(resolve, 500));
    return path;
  }

  async stop(): Promise<void> {
    this.#inspector?.close();
    this.#client?.close();
    // SIGTERM lets the server close (and write its CPU profile); SIGKILL if it hangs.
    if (this.#server) await stopProcess(this.#server, 'SIGTERM', 5000);
  }

  #required<T>(value: T | undefined): T {
    if (value === undefined) throw new Error('start() the Medley target first');
    return value;
  }
}

/**
 * The built CLI of the media server in a process of its own, in `mode`; resolves with its URL.
 * Warns when the sources are newer than the build (the figures would be the old code's).
 */
export function spawnMedleyServer(
  mode: MedleyServerMode,
): Promise<{ child: ChildProcess; url: string; inspectorUrl: string | undefined }> {
  const packageRoot = mode.packageRoot ?? ownPackageRoot;
  const cliPath = `${packageRoot}dist/cli.js`;
  if (!existsSync(cliPath)) {
    throw new Error(`${cliPath} is missing: run \`npm run build\` first.`);
  }
  if (newestFileMs(`${packageRoot}src`) > newestFileMs(`${packageRoot}dist`)) {
    console.warn(
      `  (warning: ${packageRoot}src is newer than dist: run \`npm run build\` to measure it)`,
    );
  }
  const child = spawn(
    process.execPath,
    [
      // MEDLEY_BENCH_CPU_PROFILE=<dir>: a V8 CPU profile of the server per target, for the profile
      // before and after the direct send path (summarise with bench/fanout/profileSummary.ts).
      ...(process.env.MEDLEY_BENCH_CPU_PROFILE
        ? ['--cpu-prof', '--cpu-prof-dir', process.env.MEDLEY_BENCH_CPU_PROFILE]
        : []),
      // MEDLEY_BENCH_HEAP_USAGE=1: the server's heap figures after each level (process.memoryUsage()
      // as it is and after a full collection, over the inspector), to tell live objects from RSS.
      ...(process.env.MEDLEY_BENCH_HEAP_USAGE ? ['--inspect=127.0.0.1:0'] : []),
      // MEDLEY_BENCH_HEAP_SNAPSHOT=<dir>: a V8 heap snapshot of the server after each level
      // (summarise with bench/fanout/heapSummary.ts); it inflates the RSS figures of later levels.
      ...(process.env.MEDLEY_BENCH_HEAP_SNAPSHOT
        ? [
            `--heapsnapshot-signal=${HEAP_SNAPSHOT_SIGNAL}`,
            `--diagnostic-dir=${process.env.MEDLEY_BENCH_HEAP_SNAPSHOT}`,
          ]
        : []),
      ...commandNodeFlags(packageRoot),
      cliPath,
      ...['--port', '0', '--log-level', 'info', '--media-root', tmpdir()],
      ...['--send-path', mode.sendPath, '--send-workers', String(mode.sendWorkers)],
      ...['--max-load', String(mode.maxLoad)],
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let log = '';
    let url: string | undefined;
    // Read for the whole run, even once the URL is known: a full pipe would stall the server.
    child.stderr?.on('data', (chunk: Buffer) => {
      if (url !== undefined || log.length > 100_000) return;
      log += chunk.toString();
      url = /"msg":"media server listening".*?"url":"([^"]+)"/.exec(log)?.[1];
      const inspectorUrl = /Debugger listening on (ws:\/\/\S+)/.exec(log)?.[1];
      if (url !== undefined) resolve({ child, url, inspectorUrl });
    });
    child.once('exit', (code) => reject(new Error(`the media server exited (${code}): ${log}`)));
  });
}

function endsWith(path: string, text: string): boolean {
  const size = statSync(path).size;
  if (size < text.length) return false;
  const tail = Buffer.alloc(text.length);
  const descriptor = openSync(path, 'r');
  try {
    readSync(descriptor, tail, 0, text.length, size - text.length);
  } finally {
    closeSync(descriptor);
  }
  return tail.toString() === text;
}

/** The newest modification time of a file under `directory`, to warn of a stale build. */
function newestFileMs(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = `${directory}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? newestFileMs(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The Node flags the `medley-media-server` command starts the server with (its shebang's
 * `env -S node …`), so that the bench runs dist/cli.js as that command does.
 */
function commandNodeFlags(packageRoot: string): string[] {
  const bin = `${packageRoot}bin/medley-media-server.js`;
  if (!existsSync(bin)) return [];
  const shebang = readFileSync(bin, 'utf8').split('\n', 1)[0] ?? '';
  const flags = /^#!\/usr\/bin\/env -S node (.+)$/.exec(shebang)?.[1];
  return flags === undefined ? [] : flags.trim().split(/\s+/);
}

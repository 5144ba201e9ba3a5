// Janus (Debian's package) as the fan-out benchmark's baseline: one RTP mountpoint of the streaming
// plugin, fed with plain RTP by the publisher, and one WebRTC subscriber per plugin handle.
//
//   await ensurePrivateVethPair();                 // libnice gathers nothing on lo alone
//   const janus = await startJanus({ workDirectory });
//   // publisher → plain RTP to janus.rtpTarget
//   const subscription = await janus.openSubscriber();   // Janus's offer
//   await subscription.answer(answerSdp);
//
// Janus rewrites what it forwards: see SEQUENCE MAPPING in README.md beside this file.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stopProcess } from '../../support/childProcess.js';
import { cpuMilliseconds } from '../../support/processStats.js';
import { JanusBenchError } from './errors.js';
import { JanusHttpSession } from './JanusHttpSession.js';
import { httpTransportConfig, janusConfig, streamingPluginConfig } from './janusConfig.js';
import { findJanusModules } from './janusInstallation.js';

const run = promisify(execFile);
const MOUNTPOINT_ID = 1;
const STREAMING_PLUGIN = 'janus.plugin.streaming';

export interface JanusOptions {
  /** Config files, module links and janus.log are written here. */
  readonly workDirectory: string;
  /**
   * Janus's `event_loops`: a fixed pool of threads shared by all handles. Default 2, one per core
   * of the benchmark machine; Janus's own default (no pool) would start a thread per subscriber.
   */
  readonly eventLoops?: number;
  /** The interface Janus gathers ICE candidates on (`ice_enforce_list`). Default `medley-veth0`. */
  readonly interfaceName?: string;
  /** Where the mountpoint's RTP sockets bind. Default 127.0.0.1. */
  readonly rtpHost?: string;
  /** Default: free UDP ports. */
  readonly videoPort?: number;
  readonly audioPort?: number;
  /** Default: a free TCP port on 127.0.0.1. */
  readonly httpPort?: number;
  /** Janus's `debug_level`: default 3 (warnings and errors), so logging costs no CPU. */
  readonly debugLevel?: number;
  readonly startTimeoutMs?: number;
}

export interface JanusServer {
  readonly pid: number;
  /** Janus's version, e.g. `1.1.2`. */
  readonly version: string;
  /** Where the publisher sends plain RTP: VP8 (PT 96, 90 kHz) and Opus (PT 111, 48 kHz, 2 ch). */
  readonly rtpTarget: {
    readonly host: string;
    readonly videoPort: number;
    readonly audioPort: number;
  };
  /** A new subscriber of the mountpoint: a plugin handle that has sent "watch". */
  openSubscriber(): Promise<JanusSubscription>;
  /** Janus's log (warnings and errors by default): where to look when a subscriber fails. */
  readonly logFile: string;
  /** Janus's user + system CPU time so far, in ms (from /proc). */
  cpuTimeMs(): number;
  stop(): Promise<void>;
}

export interface JanusSubscription {
  readonly handleId: number;
  /** Janus's SDP offer (all candidates included: Janus half-trickles). */
  readonly offer: string;
  /** Sends the subscriber's answer with "start"; resolves once Janus has accepted it. */
  answer(sdp: string): Promise<void>;
  /** Hangs up and detaches the handle. */
  close(): Promise<void>;
}

export async function startJanus(options: JanusOptions): Promise<JanusServer> {
  const modules = await findJanusModules();
  const interfaceName = options.interfaceName ?? 'medley-veth0';
  const interfaceAddress = await ipv4AddressOf(interfaceName);
  const rtpTarget = {
    host: options.rtpHost ?? '127.0.0.1',
    videoPort: options.videoPort ?? (await freeUdpPort()),
    audioPort: options.audioPort ?? (await freeUdpPort()),
  };
  const httpPort = options.httpPort ?? (await freeTcpPort());
  const folders = await prepareFolders(options.workDirectory, modules);
  const configFile = join(folders.configs, 'janus.jcfg');
  await writeFile(
    configFile,
    janusConfig({
      configsFolder: folders.configs,
      pluginsFolder: folders.plugins,
      transportsFolder: folders.transports,
      emptyFolder: folders.empty,
      eventLoops: options.eventLoops ?? 2,
      interfaceName,
      interfaceAddress,
      debugLevel: options.debugLevel ?? 3,
      httpPort,
      rtp: { id: MOUNTPOINT_ID, ...rtpTarget },
    }),
  );
  await writeFile(
    join(folders.configs, 'janus.transport.http.jcfg'),
    httpTransportConfig({ httpPort }),
  );
  await writeFile(
    join(folders.configs, 'janus.plugin.streaming.jcfg'),
    streamingPluginConfig({ id: MOUNTPOINT_ID, ...rtpTarget }),
  );

  const logFile = join(options.workDirectory, 'janus.log');
  const child = spawn(
    modules.executable,
    [
      '--config',
      configFile,
      '--configs-folder',
      folders.configs,
      '--log-file',
      logFile,
      '--disable-stdout',
    ],
    { stdio: 'ignore' },
  );
  const baseUrl = `http://127.0.0.1:${httpPort}/janus`;
  try {
    const version = await waitUntilServing(
      child,
      baseUrl,
      logFile,
      options.startTimeoutMs ?? 15_000,
    );
    const session = await JanusHttpSession.create(baseUrl);
    return {
      pid: child.pid as number,
      version,
      rtpTarget,
      logFile,
      openSubscriber: () => openSubscriber(session),
      cpuTimeMs: () => cpuMilliseconds(child.pid as number),
      async stop() {
        await session.destroy();
        await stopProcess(child, 'SIGINT', 3000);
      },
    };
  } catch (error) {
    await stopProcess(child, 'SIGINT', 3000);
    throw error;
  }
}

async function openSubscriber(session: JanusHttpSession): Promise<JanusSubscription> {
  const handleId = await session.attach(STREAMING_PLUGIN);
  const watching = await session.message(handleId, { request: 'watch', id: MOUNTPOINT_ID });
  if (watching.jsep?.type !== 'offer') {
    throw new JanusBenchError(
      'JANUS_REQUEST_FAILED',
      `Janus answered "watch" without an offer: ${JSON.stringify(watching.data)}`,
    );
  }
  let closed = false;
  return {
    handleId,
    offer: watching.jsep.sdp,
    async answer(sdp) {
      await session.message(
        handleId,
        { request: 'start' },
        { type: 'answer', sdp, trickle: false },
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      await session.detach(handleId).catch(() => undefined);
    },
  };
}

interface PreparedFolders {
  readonly configs: string;
  readonly plugins: string;
  readonly transports: string;
  readonly empty: string;
}

/** Janus loads every module in its folders: give it folders that hold only what we use. */
async function prepareFolders(
  workDirectory: string,
  modules: Awaited<ReturnType<typeof findJanusModules>>,
): Promise<PreparedFolders> {
  const folders = {
    configs: join(workDirectory, 'config'),
    plugins: join(workDirectory, 'plugins'),
    transports: join(workDirectory, 'transports'),
    empty: join(workDirectory, 'none'),
  };
  for (const folder of Object.values(folders)) {
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder, { recursive: true });
  }
  await symlink(modules.streamingPlugin, join(folders.plugins, 'libjanus_streaming.so'));
  await symlink(modules.httpTransport, join(folders.transports, 'libjanus_http.so'));
  return folders;
}

/** Polls Janus's `info` endpoint until it answers; fails with the log's end if Janus exits. */
async function waitUntilServing(
  child: ChildProcess,
  baseUrl: string,
  logFile: string,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  child.once('error', () => {
    exited = true;
  });
  while (!exited && Date.now() < deadline) {
    try {
      const info = (await (await fetch(`${baseUrl}/info`)).json()) as { version_string?: string };
      if (info.version_string) return info.version_string;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const log = await readFile(logFile, 'utf8').catch(() => '(no log written)');
  throw new JanusBenchError(
    'JANUS_START_FAILED',
    `Janus ${exited ? 'exited' : `did not answer on ${baseUrl} within ${timeoutMs} ms`}. End of ${logFile}:\n${log.slice(-3000)}`,
  );
}

async function ipv4AddressOf(interfaceName: string): Promise<string> {
  const { stdout } = await run('ip', [
    '-json',
    '-4',
    'address',
    'show',
    'dev',
    interfaceName,
  ]).catch(() => ({ stdout: '[]' }));
  const [link] = JSON.parse(stdout) as { addr_info?: { local?: string }[] }[];
  const address = link?.addr_info?.[0]?.local;
  if (!address) {
    throw new JanusBenchError(
      'JANUS_START_FAILED',
      `Interface ${interfaceName} has no IPv4 address: call ensurePrivateVethPair() first (inside scripts/isolated.sh), or pass the interfaceName Janus should gather ICE candidates on.`,
    );
  }
  return address;
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigurationError } from '../src/index.js';
import { parseCommandLine } from '../src/server/commandLine.js';
import { resolveOptions } from '../src/server/options.js';
import { RpcClient } from './support/RpcClient.js';

const cliPath = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

function runCli(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', cliPath, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Watches the JSON log lines on stderr for the "listening" one, and returns its URL. */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const entry = JSON.parse(line) as { msg: string; url?: string };
        if (entry.msg === 'media server listening' && entry.url) resolve(entry.url);
      }
    });
    child.once('exit', () => reject(new Error(`the CLI exited before listening: ${buffered}`)));
  });
}

describe('command line', () => {
  it('prefers flags to MEDLEY_* variables, and variables to defaults', () => {
    const parsed = parseCommandLine(['--port', '9000', '--ice-port-range', '40000-40099'], {
      MEDLEY_PORT: '7000',
      MEDLEY_HOST: '0.0.0.0',
      MEDLEY_SESSION_GRACE_PERIOD: '1.5',
      MEDLEY_STUN_SERVER: 'stun.example.org:3478',
      MEDLEY_ICE_HOST_ADDRESSES: '127.0.0.1, 10.0.0.2',
      MEDLEY_LOG_LEVEL: 'debug',
    });
    assert.equal(parsed.kind, 'serve');
    if (parsed.kind !== 'serve') return;
    assert.equal(parsed.options.port, 9000);
    assert.equal(parsed.options.host, '0.0.0.0');
    assert.equal(parsed.options.sessionGracePeriodMs, 1500);
    assert.equal(parsed.options.logLevel, 'debug');
    // A standalone server refuses endpoints near saturation unless told otherwise.
    assert.equal(parsed.options.maxLoad, 0.85);
    assert.deepEqual(parsed.options.ice, {
      portRange: { min: 40000, max: 40099 },
      hostAddresses: ['127.0.0.1', '10.0.0.2'],
      stunServer: 'stun.example.org:3478',
    });
  });

  it('explains what is wrong with a bad flag', () => {
    assert.throws(
      () => parseCommandLine(['--port', 'eighty'], {}),
      /--port must be a whole number/,
    );
    assert.throws(
      () => parseCommandLine(['--log-level', 'loud'], {}),
      /--log-level must be one of/,
    );
    assert.throws(() => parseCommandLine(['--ice-port-range', '5'], {}), /min-max/);
    assert.throws(() => parseCommandLine(['--max-load', '1.5'], {}), /--max-load must be a share/);
    assert.throws(() => parseCommandLine(['--max-load', 'high'], {}), /--max-load must be a share/);
    assert.throws(
      () => parseCommandLine(['--send-path', 'fast'], {}),
      /--send-path must be native, direct or werift/,
    );
    assert.throws(
      () => parseCommandLine(['--send-workers', 'two'], {}),
      /--send-workers must be a whole number/,
    );
    assert.throws(
      () => parseCommandLine(['--transcoding', 'sometimes'], {}),
      /--transcoding must be auto or never/,
    );
    assert.throws(() => parseCommandLine(['--frobnicate'], {}), ConfigurationError);
    assert.equal(parseCommandLine(['--help'], {}).kind, 'help');
  });

  it('refuses out-of-range media-plane options of an embedded server, naming the option', () => {
    assert.throws(() => resolveOptions({ maxLoad: 0 }), /maxLoad must be a share in \(0, 1\]/);
    assert.throws(() => resolveOptions({ sendWorkers: -1 }), /sendWorkers must be an integer/);
    assert.throws(() => resolveOptions({ sendWorkers: 1.5 }), /sendWorkers must be an integer/);
    assert.throws(
      () => resolveOptions({ sendPath: 'fast' as never }),
      /sendPath must be 'native', 'direct' or 'werift'/,
    );
    assert.equal(resolveOptions({ sendPath: 'direct', sendWorkers: 2 }).sendPath, 'direct');
    assert.throws(
      () => resolveOptions({ processing: { allowFilterElements: ['videoflip', 'file src'] } }),
      /'file src' is not a GStreamer element factory name/,
    );
    assert.throws(
      () => resolveOptions({ processing: { transcoding: 'always' as never } }),
      /transcoding must be 'auto' or 'never'/,
    );
    const processing = parseCommandLine(
      ['--transcoding', 'never', '--filter-allow', 'facedetect'],
      {},
    );
    assert.equal(processing.kind, 'serve');
    if (processing.kind === 'serve') {
      const resolved = resolveOptions(processing.options).processing;
      assert.equal(resolved.transcoding, 'never');
      assert.ok(resolved.allowedFilterElements.includes('facedetect'));
      assert.ok(resolved.allowedFilterElements.includes('videoflip'), 'the defaults stay');
      assert.ok(!resolved.allowedFilterElements.includes('filesrc'));
    }
    // The addon is built by npm install here: the default takes it.
    if (process.env.MEDLEY_NATIVE_SRTP !== 'optional') {
      assert.equal(resolveOptions({}).sendPath, 'native');
    }
    // Embedded, admission control is off: the event loop is shared with the application.
    assert.equal(resolveOptions({}).maxLoad, 1);
  });

  it('prints its help with every flag and variable', async () => {
    const child = runCli(['--help']);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    for (const text of [
      '--host',
      '--port',
      '--path',
      '--access-token',
      '--max-message-size',
      '--session-grace-period',
      '--ice-port-range',
      '--external-ipv4',
      '--stun-server',
      '--turn-url',
      '--log-level',
      '--max-load',
      '--send-workers',
      '--send-path',
      'MEDLEY_PORT',
      'MEDLEY_ACCESS_TOKEN',
    ]) {
      assert.ok(output.includes(text), `help mentions ${text}`);
    }
  });

  it('runs as the README shows it, through npx from the repository root', async () => {
    // npm links a workspace's bin only if its target exists at install time; this proves the link
    // and the built CLI behind it, without npx ever asking the registry.
    const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));
    const child = spawn('npx', ['--no-install', 'medley-media-server', '--version'], {
      cwd: repositoryRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    assert.equal(code, 0, output);
    assert.match(output, /^\d+\.\d+\.\d+\n$/);
  });

  it('exits with status 2 and a message on a bad option', async () => {
    // A one-port range too: it started before, and then every WebRtcEndpoint failed.
    for (const range of ['9-1', '5000-5000']) {
      const child = runCli(['--ice-port-range', range, '--port', '0']);
      let errors = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        errors += chunk.toString();
      });
      const [code] = await once(child, 'exit');
      assert.equal(code, 2, range);
      assert.match(errors, /ICE port range must be 1-65535 and hold at least two ports/);
    }
  });

  it('refuses to start with an empty MEDLEY_ACCESS_TOKEN instead of serving everyone', async () => {
    const child = runCli(['--port', '0'], { MEDLEY_ACCESS_TOKEN: '' });
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    assert.equal(code, 2);
    assert.match(errors, /access token is empty/);
  });

  it('serves the Kurento Protocol, checks the access token, and stops on SIGTERM', async () => {
    const child = runCli(['--port', '0', '--log-level', 'info'], { MEDLEY_ACCESS_TOKEN: 's3cret' });
    try {
      const url = await listeningUrl(child);
      assert.match(url, /^ws:\/\/127\.0\.0\.1:\d+\/kurento$/);
      await assert.rejects(RpcClient.open(url), /HTTP 401/);
      await assert.rejects(RpcClient.open(`${url}?access_token=wrong`), /HTTP 401/);
      const client = await RpcClient.open(`${url}?access_token=s3cret`);
      assert.equal((await client.call('ping')).value, 'pong');
      await client.close();
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  });
});

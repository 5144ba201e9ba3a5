// libnice, and so Janus, gathers no ICE candidate on a loopback interface, and scripts/isolated.sh
// leaves only `lo` in its namespace. A veth pair whose two ends both live in that namespace gives
// Janus an ordinary interface to gather on, while every packet between its addresses is still
// delivered locally (both are local addresses of the namespace) and nothing has a route out.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { JanusBenchError } from './errors.js';

const run = promisify(execFile);

export interface VethPairOptions {
  /** Default `medley-veth0`: the end Janus gathers candidates on (its `ice_enforce_list`). */
  readonly interfaceName?: string;
  /** Default `medley-veth1`. */
  readonly peerInterfaceName?: string;
  /** Default `10.231.0.1`, in a /30 with `peerAddress`. Only ever local to the namespace. */
  readonly address?: string;
  /** Default `10.231.0.2`. */
  readonly peerAddress?: string;
}

export interface VethPair {
  readonly interfaceName: string;
  readonly peerInterfaceName: string;
  readonly address: string;
  readonly peerAddress: string;
}

interface IpLink {
  readonly ifname: string;
  readonly operstate?: string;
}

/**
 * Creates (or keeps, when it is already there) a veth pair with an IPv4 address on each end and
 * both ends up, in the current network namespace. Refuses to touch a network that looks like a
 * real host's: it needs root, no default route, and no interface but `lo` and the pair itself.
 */
export async function ensurePrivateVethPair(options: VethPairOptions = {}): Promise<VethPair> {
  const pair: VethPair = {
    interfaceName: options.interfaceName ?? 'medley-veth0',
    peerInterfaceName: options.peerInterfaceName ?? 'medley-veth1',
    address: options.address ?? '10.231.0.1',
    peerAddress: options.peerAddress ?? '10.231.0.2',
  };
  if (process.getuid?.() !== 0) {
    throw new JanusBenchError(
      'NOT_ROOT',
      'Creating a veth pair needs root: run the benchmark as root inside scripts/isolated.sh.',
    );
  }
  await assertPrivateNamespace([pair.interfaceName, pair.peerInterfaceName]);
  const names = (await links()).map((link) => link.ifname);
  try {
    if (!names.includes(pair.interfaceName)) {
      await ip(
        'link',
        'add',
        pair.interfaceName,
        'type',
        'veth',
        'peer',
        'name',
        pair.peerInterfaceName,
      );
    }
    for (const [name, address] of [
      [pair.interfaceName, pair.address],
      [pair.peerInterfaceName, pair.peerAddress],
    ] as const) {
      await disableIpv6(name);
      await ip('address', 'replace', `${address}/30`, 'dev', name);
      await ip('link', 'set', name, 'up');
    }
  } catch (error) {
    throw new JanusBenchError(
      'VETH_SETUP_FAILED',
      `Could not set up the veth pair ${pair.interfaceName}/${pair.peerInterfaceName}: ${(error as Error).message}`,
    );
  }
  await waitUntilRunning(pair);
  return pair;
}

/** Throws unless the namespace has no default route and no interface but `lo` and `ours`. */
async function assertPrivateNamespace(ours: readonly string[]): Promise<void> {
  const foreign = (await links())
    .map((link) => link.ifname)
    .filter((name) => name !== 'lo' && !ours.includes(name));
  const defaultRoutes = [
    ...(await ipJson<unknown[]>('-4', 'route', 'show', 'default')),
    ...(await ipJson<unknown[]>('-6', 'route', 'show', 'default')),
  ];
  if (foreign.length > 0 || defaultRoutes.length > 0) {
    const found = [
      ...(foreign.length > 0 ? [`interfaces ${foreign.join(', ')}`] : []),
      ...(defaultRoutes.length > 0 ? ['a default route'] : []),
    ].join(' and ');
    throw new JanusBenchError(
      'NOT_ISOLATED',
      `This network namespace has ${found}: it looks like the host's. Run the benchmark inside scripts/isolated.sh, which gives it a private namespace with only lo.`,
    );
  }
}

/** Janus skips interfaces that are not RUNNING, which a veth end becomes once both ends are up. */
async function waitUntilRunning(pair: VethPair): Promise<void> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const states = (await links()).filter((link) =>
      [pair.interfaceName, pair.peerInterfaceName].includes(link.ifname),
    );
    if (states.length === 2 && states.every((link) => link.operstate === 'UP')) return;
    if (Date.now() > deadline) {
      throw new JanusBenchError(
        'VETH_SETUP_FAILED',
        `The veth pair ${pair.interfaceName}/${pair.peerInterfaceName} did not come up: ${JSON.stringify(states)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** No IPv6 link-local addresses: neither side uses IPv6, and ICE stays on one address each. */
async function disableIpv6(name: string): Promise<void> {
  await writeFile(`/proc/sys/net/ipv6/conf/${name}/disable_ipv6`, '1').catch(() => undefined);
}

function links(): Promise<IpLink[]> {
  return ipJson<IpLink[]>('link', 'show');
}

async function ipJson<T>(...args: string[]): Promise<T> {
  const { stdout } = await run('ip', ['-json', ...args]);
  return (stdout.trim() === '' ? [] : JSON.parse(stdout)) as T;
}

async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

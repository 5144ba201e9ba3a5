import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** Address ranges a player must not fetch from unless the operator names them (SSRF). */
const INTERNAL_RANGES: readonly (readonly [
  kind: string,
  family: 'ipv4' | 'ipv6',
  net: string,
  prefix: number,
])[] = [
  ['loopback', 'ipv4', '127.0.0.0', 8],
  ['loopback', 'ipv6', '::1', 128],
  ['unspecified', 'ipv4', '0.0.0.0', 8],
  ['unspecified', 'ipv6', '::', 128],
  ['private', 'ipv4', '10.0.0.0', 8],
  ['private', 'ipv4', '172.16.0.0', 12],
  ['private', 'ipv4', '192.168.0.0', 16],
  ['private', 'ipv6', 'fc00::', 7],
  ['shared (carrier-grade NAT)', 'ipv4', '100.64.0.0', 10],
  ['link-local', 'ipv4', '169.254.0.0', 16],
  ['link-local', 'ipv6', 'fe80::', 10],
  ['special-purpose', 'ipv4', '192.0.0.0', 24],
  ['benchmarking', 'ipv4', '198.18.0.0', 15],
  ['multicast', 'ipv4', '224.0.0.0', 4],
  ['multicast', 'ipv6', 'ff00::', 8],
  ['reserved', 'ipv4', '240.0.0.0', 4],
];

/** A host or address the policy refuses; `message` says what it is and how to allow it. */
export class HttpHostRefusedError extends Error {
  override readonly name = 'HttpHostRefusedError';
  readonly code = 'HTTP_HOST_REFUSED';
}

/**
 * Which HTTP hosts a PlayerEndpoint may fetch from: any public address, and the loopback,
 * private and link-local ones only when `--allow-http-hosts` names them (a host name, an address
 * or a CIDR range). The check is made on the address actually connected to, after DNS, so a
 * name that resolves (or re-resolves) to an internal address is refused too; redirects are
 * checked the same way.
 */
export class HttpHostPolicy {
  readonly #hostNames = new Set<string>();
  readonly #allowedAddresses = new BlockList();
  readonly #entries: readonly string[];

  /** @throws Error naming a malformed entry */
  constructor(allowed: readonly string[] = []) {
    this.#entries = allowed;
    for (const entry of allowed) {
      const [address, prefix] = entry.split('/');
      const family = isIP(address ?? '');
      if (family === 0) {
        if (prefix !== undefined || !/^[a-z0-9.-]+$/i.test(entry)) {
          throw new Error(`'${entry}' is neither a host name, an IP address nor a CIDR range`);
        }
        this.#hostNames.add(entry.toLowerCase());
        continue;
      }
      const type = family === 4 ? 'ipv4' : 'ipv6';
      const bits = prefix === undefined ? (family === 4 ? 32 : 128) : Number(prefix);
      if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) {
        throw new Error(`'${entry}' has an invalid prefix length`);
      }
      this.#allowedAddresses.addSubnet(address as string, bits, type);
    }
  }

  /** Refuses a URL whose host is an internal IP literal (names are checked when they resolve). */
  checkUrl(url: URL): void {
    const host = bareHost(url.hostname);
    if (isIP(host) !== 0) this.checkAddress(url.hostname, host);
  }

  /** @throws HttpHostRefusedError when `address` (what `hostname` resolved to) is internal. */
  checkAddress(hostname: string, address: string): void {
    if (this.#hostNames.has(bareHost(hostname).toLowerCase())) return;
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (this.#allowedAddresses.check(address, type)) return;
    const kind = internalKind(address);
    if (kind === undefined) return;
    const named = bareHost(hostname) === address ? address : `${hostname} (${address})`;
    throw new HttpHostRefusedError(
      `${named} is a ${kind} address, which players may not fetch from nor recorders upload to: name it in --allow-http-hosts (or MEDLEY_ALLOW_HTTP_HOSTS, e.g. '${address}' or a CIDR range) if this server should reach media there`,
    );
  }

  /** A DNS lookup for http.request that refuses internal addresses as it connects. */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      try {
        for (const { address } of addresses) this.checkAddress(hostname, address);
      } catch (refusal) {
        return callback(refusal as NodeJS.ErrnoException, '', 0);
      }
      if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };

  toString(): string {
    return this.#entries.join(',');
  }
}

const INTERNAL_LISTS = INTERNAL_RANGES.map(([kind, family, net, prefix]) => {
  const list = new BlockList();
  list.addSubnet(net, prefix, family);
  return { kind, family, list };
});

function internalKind(address: string): string | undefined {
  const checked = embeddedIpv4(address) ?? address;
  const type = isIP(checked) === 6 ? 'ipv6' : 'ipv4';
  return INTERNAL_LISTS.find(({ family, list }) => family === type && list.check(checked, family))
    ?.kind;
}

/** An IPv4-mapped IPv6 address (::ffff:127.0.0.1, or ::ffff:7f00:1 as URL writes it) reaches the IPv4 host it embeds. */
function embeddedIpv4(address: string): string | undefined {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (dotted) return dotted;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!hex?.[1] || !hex[2]) return undefined;
  const high = Number.parseInt(hex[1], 16);
  const low = Number.parseInt(hex[2], 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** URL.hostname keeps an IPv6 literal's brackets. */
function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { CLOCK_TICKS_PER_SECOND, cpuMilliseconds, residentBytes } from '../support/processStats.js';
import { LATENCY_BIN_MS } from './ipc.js';

export function totalCpuMs(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + cpuMilliseconds(pid), 0);
}

/** Resident memory of a process, in KiB (NaN for a process that has none any more: a zombie). */
export function residentKb(pid: number): number {
  try {
    return residentBytes(pid) / 1024;
  } catch {
    return Number.NaN;
  }
}

export function totalResidentKb(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + residentKb(pid), 0);
}

/** The value below which `fraction` of the samples fall (nearest rank). */
export function percentile(samples: readonly number[], fraction: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] as number;
}

/** Latency histogram, as merged from the subscriber processes: count per bin. */
export class LatencyHistogram {
  readonly #counts = new Map<number, number>();
  #total = 0;

  add(bins: readonly (readonly [number, number])[]): void {
    for (const [bin, count] of bins) {
      this.#counts.set(bin, (this.#counts.get(bin) ?? 0) + count);
      this.#total += count;
    }
  }

  /** The latency in ms below which `fraction` of the packets arrived (upper edge of its bin). */
  percentileMs(fraction: number): number {
    if (this.#total === 0) return Number.NaN;
    const rank = Math.ceil(fraction * this.#total);
    let seen = 0;
    for (const bin of [...this.#counts.keys()].sort((a, b) => a - b)) {
      seen += this.#counts.get(bin) ?? 0;
      if (seen >= rank) return (bin + 1) * LATENCY_BIN_MS;
    }
    return Number.NaN;
  }
}

/** CPU time of the whole machine (all cores), busy and total, in ms: how much others used. */
export function machineCpuMs(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const toMs = (value: number) => (value * 1000) / CLOCK_TICKS_PER_SECOND;
  return { busy: toMs(total - idle), total: toMs(total) };
}

/**
 * Datagrams the kernel dropped at the UDP sockets of these processes because their receive
 * buffers were full (the `drops` column of /proc/net/udp, summed over the processes' sockets):
 * loss that happened at a receiver that did not keep up, not on the way.
 */
export function udpReceiveDrops(pids: readonly number[]): number {
  const inodes = new Set<string>();
  for (const pid of pids) {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        if (inode) inodes.add(inode);
      } catch {
        // The descriptor closed while we read the directory.
      }
    }
  }
  let drops = 0;
  for (const table of ['/proc/net/udp', '/proc/net/udp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[9] !== undefined && inodes.has(fields[9])) drops += Number(fields[12] ?? 0);
    }
  }
  return drops;
}

import { readFileSync } from 'node:fs';

/** Resident set size of a process in bytes (Linux /proc), as `ps` and KMS's getUsedMemory see it. */
export function residentBytes(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!line) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(line[1]) * 1024;
}

/** USER_HZ: the unit of /proc/<pid>/stat's CPU times (100 on Linux). */
export const CLOCK_TICKS_PER_SECOND = 100;

/** User + system CPU time of a process, all its threads included, in ms (Linux /proc). */
export function cpuMilliseconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

import { readFileSync } from 'node:fs';

/** The machine's busy and total jiffies, all cores (the first line of /proc/stat). */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * Starts watching how busy the whole machine is (every process, every core); the function it
 * returns gives the busy share in percent since then. Tells a window measured on a loaded
 * machine from one measured on a quiet one.
 */
export function watchMachineLoad(): () => number {
  const before = machineTicks();
  return () => {
    const after = machineTicks();
    return (100 * (after.busy - before.busy)) / Math.max(1, after.total - before.total);
  };
}

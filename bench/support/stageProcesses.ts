import { readdirSync, readFileSync } from 'node:fs';

/** The GStreamer stage processes (gst/medley_gst_stage.py) that `parentPid` started. */
export function stageProcessIds(parentPid: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== parentPid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('medley_gst_stage'))
        pids.push(Number(entry));
    } catch {
      // the process ended while the list was read
    }
  }
  return pids;
}

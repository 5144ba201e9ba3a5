import { readdirSync, readFileSync } from 'node:fs';

/** Each live process's parent, from /proc. */
function parents(): Map<number, number> {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended while the list was read
    }
  }
  return parentOf;
}

/** `pid` and every process below it (Chromium's renderers sit two levels down). */
export function processTree(pid: number): number[] {
  const parentOf = parents();
  const tree = [pid];
  for (let index = 0; index < tree.length; index++)
    for (const [child, parent] of parentOf) if (parent === tree[index]) tree.push(child);
  return tree;
}

/** The GStreamer stage processes (gst/medley_gst_stage.py) that `parentPid` started. */
export function stageProcessIds(parentPid: number): number[] {
  const pids: number[] = [];
  for (const [pid, parent] of parents()) {
    if (parent !== parentPid) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('medley_gst_stage')) pids.push(pid);
    } catch {
      // the process ended while the list was read
    }
  }
  return pids;
}

import { readdir, readFile } from 'node:fs/promises';

/** A GStreamer stage process started by this test process, as /proc shows it. */
export interface StageProcess {
  readonly pid: number;
  /** `Z` for a zombie (exited, not reaped), `R`/`S`/... while alive. */
  readonly state: string;
}

/** The one stage process that `start` makes appear (e.g. by creating a filter). */
export async function stageStartedBy(start: () => Promise<unknown>): Promise<StageProcess> {
  const before = new Set((await stageProcesses()).map((found) => found.pid));
  await start();
  const started = (await stageProcesses()).filter((found) => !before.has(found.pid));
  if (started.length !== 1)
    throw new Error(`expected one new stage process, found ${started.length}`);
  return started[0] as StageProcess;
}

/**
 * The children of this process that run the GStreamer stage helper, read from /proc (not from
 * the server's own bookkeeping, so a process the server forgot would still be found).
 */
export async function stageProcesses(): Promise<StageProcess[]> {
  const found: StageProcess[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid) continue;
      const commandLine = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
      const state = fields[0] ?? '?';
      if (state === 'Z' || commandLine.includes('medley_gst_stage')) {
        found.push({ pid: Number(entry), state });
      }
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

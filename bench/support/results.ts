import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

const resultsFolder = new URL('../results/', import.meta.url).pathname;
/** Read when the benchmark starts (this module loads with it), to tell a quiet run from a busy one. */
const loadAtStart = loadavg();

/** Writes a benchmark's figures to bench/results/<name>.json and returns the path. */
export async function writeResults(name: string, figures: unknown): Promise<string> {
  await mkdir(resultsFolder, { recursive: true });
  const path = join(resultsFolder, `${name}.json`);
  const rounded = (_key: string, value: unknown) =>
    typeof value === 'number' && !Number.isInteger(value) ? Number(value.toFixed(2)) : value;
  await writeFile(path, `${JSON.stringify(figures, rounded, 2)}\n`);
  return path;
}

/** Where and when the figures were measured, so that a result file is read in its context. */
export function machineContext() {
  return {
    measuredAt: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: loadavg(),
  };
}

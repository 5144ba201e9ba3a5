import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const resultsFolder = new URL('../results/', import.meta.url).pathname;

/** Writes a benchmark's figures to bench/results/<name>.json and returns the path. */
export async function writeResults(name: string, figures: unknown): Promise<string> {
  await mkdir(resultsFolder, { recursive: true });
  const path = join(resultsFolder, `${name}.json`);
  await writeFile(path, `${JSON.stringify(figures, null, 2)}\n`);
  return path;
}

/** Where and when the figures were measured, so that a result file is read in its context. */
export async function machineContext() {
  const os = await import('node:os');
  return {
    measuredAt: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    loadAverage: os.loadavg().map((load) => Number(load.toFixed(2))),
  };
}

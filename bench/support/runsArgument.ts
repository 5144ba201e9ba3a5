/** The `--runs N` of the command line (runs per kind), or `defaultRuns` without one. */
export function runsArgument(defaultRuns: number): number {
  const index = process.argv.indexOf('--runs');
  if (index < 0) return defaultRuns;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(
      `--runs needs a whole number of runs per kind, got "${process.argv[index + 1]}"`,
    );
  }
  return value;
}

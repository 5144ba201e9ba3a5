/** Prints rows under a header, the first column left-aligned and the others right-aligned. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    `  ${cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('   ')}`;
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

/** A row of `label` and a summary's median, p90, min and max in whole milliseconds. */
export function millisecondsRow(
  label: string,
  summary: { median: number; p90: number; min: number; max: number },
): string[] {
  return [
    label,
    ...[summary.median, summary.p90, summary.min, summary.max].map((ms) => ms.toFixed(0)),
  ];
}

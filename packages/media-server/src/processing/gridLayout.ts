/** A participant's cell in a composite picture, in pixels. */
export interface GridCell {
  readonly xpos: number;
  readonly ypos: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Kurento's Composite layout: `count` pictures in ceil(√count) columns and as many rows as they
 * need (1 fills the frame, 2 side by side, 3–4 in 2x2, 5–6 in 3x2, 7–9 in 3x3), each stretched to
 * its cell, in the order the participants joined.
 */
export function gridLayout(count: number, width: number, height: number): GridCell[] {
  if (count <= 0) return [];
  const columns = Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / columns);
  const cellWidth = Math.floor(width / columns);
  const cellHeight = Math.floor(height / rows);
  return Array.from({ length: count }, (_, index) => ({
    xpos: (index % columns) * cellWidth,
    ypos: Math.floor(index / columns) * cellHeight,
    width: cellWidth,
    height: cellHeight,
  }));
}

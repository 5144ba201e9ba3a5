/** ISO BMFF box parsing over in-memory bytes (ISO/IEC 14496-12). */

export interface Box {
  readonly type: string;
  /** The box's body (after its header). */
  readonly body: Buffer;
}

/** The boxes laid one after the other in `data` (a container box's body). Stops at a malformed one. */
export function childBoxes(data: Buffer): Box[] {
  const boxes: Box[] = [];
  let offset = 0;
  while (offset + 8 <= data.length) {
    let size = data.readUInt32BE(offset);
    const type = data.toString('latin1', offset + 4, offset + 8);
    let header = 8;
    if (size === 1) {
      if (offset + 16 > data.length) break;
      size = Number(data.readBigUInt64BE(offset + 8));
      header = 16;
    } else if (size === 0) {
      size = data.length - offset;
    }
    if (size < header || offset + size > data.length) break;
    boxes.push({ type, body: data.subarray(offset + header, offset + size) });
    offset += size;
  }
  return boxes;
}

export function findBox(data: Buffer, type: string): Buffer | undefined {
  return childBoxes(data).find((box) => box.type === type)?.body;
}

/** Follows a path of box types, e.g. `['mdia', 'minf', 'stbl']`. */
export function findPath(data: Buffer, path: readonly string[]): Buffer | undefined {
  let current: Buffer | undefined = data;
  for (const type of path) {
    if (!current) return undefined;
    current = findBox(current, type);
  }
  return current;
}

/** A full box's version and flags, and the offset of its fields. */
export function fullBox(body: Buffer): { version: number; flags: number } {
  return { version: body[0] ?? 0, flags: body.length >= 4 ? body.readUInt32BE(0) & 0xffffff : 0 };
}

export function readU64(data: Buffer, offset: number): number {
  return Number(data.readBigUInt64BE(offset));
}

// Summarises V8 heap snapshots of the media server (MEDLEY_BENCH_HEAP_SNAPSHOT=<dir>, one per
// level) by what holds the memory: every object's retained size goes to the nearest object that
// dominates it and is an instance of a class of the program (werift's, ours, Node's own classes),
// not a plain Object, Array, closure or string. Given two snapshots taken at two subscriber
// counts, it prints the difference per added subscriber: what one more subscriber costs.
//
//   npx tsx bench/fanout/heapSummary.ts <at-N.heapsnapshot> [<at-M.heapsnapshot> --subscribers N,M]
//       [--top 30] [--count Class1,Class2]   (--count also prints instance counts of those classes)
//
// Reading a snapshot of a few hundred MB needs a large heap: run with
// NODE_OPTIONS=--max-old-space-size=8192.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface SnapshotFile {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: readonly string[];
      readonly node_types: readonly [readonly string[], ...unknown[]];
      readonly edge_fields: readonly string[];
      readonly edge_types: readonly [readonly string[], ...unknown[]];
    };
    readonly node_count: number;
  };
  readonly nodes: readonly number[];
  readonly edges: readonly number[];
  readonly strings: readonly string[];
}

/** Bytes held per owner (a class name), and how many objects of each class there are. */
interface HeapBreakdown {
  readonly totalBytes: number;
  readonly bytesByOwner: Map<string, number>;
  readonly instancesByClass: Map<string, number>;
  /** Bytes owned by the `--inside` class, by node type and name. */
  readonly bytesInside: Map<string, number>;
  /** Instances of the `--inside` class by the owner of their dominator: who keeps them. */
  readonly insideHeldBy: Map<string, number>;
  /** Bytes of the nodes named `--of` (e.g. "system / JSArrayBufferData"), by owner. */
  readonly ofByOwner: Map<string, number>;
}

/**
 * Constructors that say nothing about who holds the memory: their bytes go to the nearest
 * dominator that is an instance of something more telling.
 */
const ANONYMOUS_CONSTRUCTORS = new Set([
  'Object',
  'Array',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'WeakRef',
  'Promise',
  'Function',
  'Error',
  'Arguments',
  'Uint8Array',
  'Uint16Array',
  'Uint32Array',
  'Int32Array',
  'Float64Array',
  'ArrayBuffer',
  'DataView',
  'Buffer',
  'FastBuffer',
  'Date',
  'RegExp',
  'Number',
  'Boolean',
  'Symbol',
  'BigInt',
  'FinalizationRegistry',
  'Generator',
  'AsyncGenerator',
]);

function analyse(
  path: string,
  countClasses: ReadonlySet<string>,
  inside: string | undefined,
  of: string | undefined,
): HeapBreakdown {
  const file = JSON.parse(readFileSync(path, 'utf8')) as SnapshotFile;
  const meta = file.snapshot.meta;
  const nodeFieldCount = meta.node_fields.length;
  const edgeFieldCount = meta.edge_fields.length;
  const typeOffset = meta.node_fields.indexOf('type');
  const nameOffset = meta.node_fields.indexOf('name');
  const selfSizeOffset = meta.node_fields.indexOf('self_size');
  const edgeCountOffset = meta.node_fields.indexOf('edge_count');
  const edgeTypeOffset = meta.edge_fields.indexOf('type');
  const edgeToOffset = meta.edge_fields.indexOf('to_node');
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const objectType = nodeTypes.indexOf('object');
  const weakEdge = edgeTypes.indexOf('weak');
  const shortcutEdge = edgeTypes.indexOf('shortcut');
  const { nodes, edges, strings } = file;
  const count = file.snapshot.node_count;

  const firstEdge = new Uint32Array(count + 1);
  for (let node = 0, edge = 0; node < count; node++) {
    firstEdge[node] = edge;
    edge += (nodes[node * nodeFieldCount + edgeCountOffset] as number) * edgeFieldCount;
  }
  firstEdge[count] = edges.length;
  const strongEdge = (edge: number): boolean => {
    const type = edges[edge + edgeTypeOffset];
    return type !== weakEdge && type !== shortcutEdge;
  };
  const target = (edge: number): number => (edges[edge + edgeToOffset] as number) / nodeFieldCount;

  // Depth-first post-order from the root (node 0), over strong edges only.
  const postOrderIndex = new Int32Array(count).fill(-1);
  const nodeAtPostOrder = new Uint32Array(count);
  const visited = new Uint8Array(count);
  const stackNode = new Uint32Array(count);
  const stackEdge = new Uint32Array(count);
  let reachable = 0;
  let depth = 0;
  stackNode[0] = 0;
  stackEdge[0] = firstEdge[0] as number;
  visited[0] = 1;
  while (depth >= 0) {
    const node = stackNode[depth] as number;
    const edge = stackEdge[depth] as number;
    if (edge < (firstEdge[node + 1] as number)) {
      stackEdge[depth] = edge + edgeFieldCount;
      if (!strongEdge(edge)) continue;
      const next = target(edge);
      if (visited[next]) continue;
      visited[next] = 1;
      depth++;
      stackNode[depth] = next;
      stackEdge[depth] = firstEdge[next] as number;
    } else {
      postOrderIndex[node] = reachable;
      nodeAtPostOrder[reachable++] = node;
      depth--;
    }
  }

  // Predecessors (strong edges between reachable nodes), as compressed rows.
  /** Calls `visit(from, to)` for every strong edge out of a reachable node. */
  const forEachReachableStrongEdge = (visit: (from: number, to: number) => void): void => {
    for (let node = 0; node < count; node++) {
      if (postOrderIndex[node] === -1) continue;
      for (
        let edge = firstEdge[node] as number;
        edge < (firstEdge[node + 1] as number);
        edge += edgeFieldCount
      ) {
        if (strongEdge(edge)) visit(node, target(edge));
      }
    }
  };
  const predecessorCount = new Uint32Array(count + 1);
  forEachReachableStrongEdge((_from, to) => {
    (predecessorCount[to] as number)++;
  });
  const predecessorStart = new Uint32Array(count + 1);
  for (let node = 0; node < count; node++) {
    predecessorStart[node + 1] =
      (predecessorStart[node] as number) + (predecessorCount[node] as number);
  }
  const predecessors = new Uint32Array(predecessorStart[count] as number);
  const filled = new Uint32Array(count);
  forEachReachableStrongEdge((from, to) => {
    predecessors[(predecessorStart[to] as number) + (filled[to] as number)++] = from;
  });

  // Immediate dominators (Cooper, Harvey and Kennedy's iterative algorithm), by post-order index.
  const rootIndex = postOrderIndex[0] as number;
  const dominator = new Int32Array(reachable).fill(-1);
  dominator[rootIndex] = rootIndex;
  const intersect = (a: number, b: number): number => {
    let x = a;
    let y = b;
    while (x !== y) {
      while (x < y) x = dominator[x] as number;
      while (y < x) y = dominator[y] as number;
    }
    return x;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (let index = reachable - 1; index >= 0; index--) {
      if (index === rootIndex) continue;
      const node = nodeAtPostOrder[index] as number;
      let candidate = -1;
      for (
        let p = predecessorStart[node] as number;
        p < (predecessorStart[node + 1] as number);
        p++
      ) {
        const from = postOrderIndex[predecessors[p] as number] as number;
        if (dominator[from] === -1) continue;
        candidate = candidate === -1 ? from : intersect(from, candidate);
      }
      if (candidate !== -1 && dominator[index] !== candidate) {
        dominator[index] = candidate;
        changed = true;
      }
    }
  }

  // Each object's own bytes go to its nearest dominator that names an owner (itself, if it does).
  const ownerName = (index: number): string | undefined => {
    const base = (nodeAtPostOrder[index] as number) * nodeFieldCount;
    if (nodes[base + typeOffset] !== objectType) return undefined;
    const name = strings[nodes[base + nameOffset] as number] as string;
    if (ANONYMOUS_CONSTRUCTORS.has(name) || name.startsWith('system /') || name === '') {
      return undefined;
    }
    return name;
  };
  const owner = new Array<string>(reachable);
  const bytesByOwner = new Map<string, number>();
  const instancesByClass = new Map<string, number>();
  const bytesInside = new Map<string, number>();
  const insideHeldBy = new Map<string, number>();
  const ofByOwner = new Map<string, number>();
  let totalBytes = 0;
  // Dominators come later in post-order, so walking it backwards settles each one first.
  for (let index = reachable - 1; index >= 0; index--) {
    const base = (nodeAtPostOrder[index] as number) * nodeFieldCount;
    const name = ownerName(index);
    const ownedBy =
      name ?? (index === rootIndex ? '(roots)' : (owner[dominator[index] as number] as string));
    owner[index] = ownedBy;
    const bytes = nodes[base + selfSizeOffset] as number;
    totalBytes += bytes;
    bytesByOwner.set(ownedBy, (bytesByOwner.get(ownedBy) ?? 0) + bytes);
    if (name !== undefined && name === inside && index !== rootIndex) {
      const holder = owner[dominator[index] as number] as string;
      insideHeldBy.set(holder, (insideHeldBy.get(holder) ?? 0) + 1);
    }
    if (of !== undefined && strings[nodes[base + nameOffset] as number] === of) {
      ofByOwner.set(ownedBy, (ofByOwner.get(ownedBy) ?? 0) + bytes);
      if (ownedBy === '(roots)' && process.env.HEAP_SUMMARY_CHAINS) {
        const chain: string[] = [String(bytes)];
        for (let up = dominator[index] as number, step = 0; step < 8 && up !== rootIndex; step++) {
          const upBase = (nodeAtPostOrder[up] as number) * nodeFieldCount;
          chain.push(
            `${nodeTypes[nodes[upBase + typeOffset] as number]}:${strings[nodes[upBase + nameOffset] as number]?.slice(0, 40)}`,
          );
          up = dominator[up] as number;
        }
        const key = chain.join(' < ');
        ofByOwner.set(key, (ofByOwner.get(key) ?? 0) + bytes);
      }
    }
    if (ownedBy === inside) {
      const what = `${nodeTypes[nodes[base + typeOffset] as number]} ${strings[nodes[base + nameOffset] as number]?.slice(0, 60)}`;
      bytesInside.set(what, (bytesInside.get(what) ?? 0) + bytes);
    }
    if (nodes[base + typeOffset] === objectType) {
      const className = strings[nodes[base + nameOffset] as number] as string;
      if (countClasses.has(className)) {
        instancesByClass.set(className, (instancesByClass.get(className) ?? 0) + 1);
      }
    }
  }
  return { totalBytes, bytesByOwner, instancesByClass, bytesInside, insideHeldBy, ofByOwner };
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      subscribers: { type: 'string' },
      top: { type: 'string', default: '30' },
      count: { type: 'string', default: '' },
      inside: { type: 'string' },
      of: { type: 'string' },
    },
  });
  const [first, second] = positionals;
  if (!first) {
    throw new Error(
      'usage: heapSummary.ts <a.heapsnapshot> [<b.heapsnapshot> --subscribers N,M] [--top 30]',
    );
  }
  const countClasses = new Set((values.count ?? '').split(',').filter(Boolean));
  const top = Number(values.top);
  const before = analyse(first, countClasses, values.inside, values.of);
  if (!second) {
    printTable(`${first}: ${kb(before.totalBytes)} KB reachable`, before.bytesByOwner, 1, top);
    printCounts(before.instancesByClass, new Map(), 1);
    if (values.of) printTable(`${values.of} by owner`, before.ofByOwner, 1, top);
    if (values.inside) {
      printTable(`inside ${values.inside}`, before.bytesInside, 1, top);
      console.log(`${values.inside} instances, by the owner of their dominator:`);
      for (const [holder, instances] of [...before.insideHeldBy].sort((a, b) => b[1] - a[1])) {
        console.log(`  ${String(instances).padStart(9)}  ${holder}`);
      }
    }
    return;
  }
  const [fewer, more] = (values.subscribers ?? '').split(',').map(Number);
  if (fewer === undefined || more === undefined || !(more > fewer)) {
    throw new Error('two snapshots need --subscribers N,M (the counts they were taken at, N < M)');
  }
  const after = analyse(second, countClasses, values.inside, values.of);
  const added = more - fewer;
  const difference = new Map<string, number>();
  for (const name of new Set([...before.bytesByOwner.keys(), ...after.bytesByOwner.keys()])) {
    difference.set(
      name,
      (after.bytesByOwner.get(name) ?? 0) - (before.bytesByOwner.get(name) ?? 0),
    );
  }
  printTable(
    `JS heap per added subscriber (${fewer} → ${more}): ${kb((after.totalBytes - before.totalBytes) / added)} KB ` +
      `(${kb(before.totalBytes)} KB → ${kb(after.totalBytes)} KB reachable)`,
    difference,
    added,
    top,
  );
  printCounts(after.instancesByClass, before.instancesByClass, added);
  if (values.of) {
    printTable(
      `${values.of} by owner, per added subscriber`,
      differenceOf(before.ofByOwner, after.ofByOwner),
      added,
      top,
    );
  }
  if (values.inside) {
    const insideDifference = new Map<string, number>();
    for (const name of new Set([...before.bytesInside.keys(), ...after.bytesInside.keys()])) {
      insideDifference.set(
        name,
        (after.bytesInside.get(name) ?? 0) - (before.bytesInside.get(name) ?? 0),
      );
    }
    printTable(`inside ${values.inside}, per added subscriber`, insideDifference, added, top);
  }
}

function differenceOf(
  before: Map<string, number>,
  after: Map<string, number>,
): Map<string, number> {
  const difference = new Map<string, number>();
  for (const name of new Set([...before.keys(), ...after.keys()])) {
    difference.set(name, (after.get(name) ?? 0) - (before.get(name) ?? 0));
  }
  return difference;
}

function printTable(title: string, bytes: Map<string, number>, per: number, top: number): void {
  console.log(title);
  const rows = [...bytes].sort((a, b) => Math.abs(b[1]) - Math.abs(a[1])).slice(0, top);
  for (const [name, value] of rows) {
    console.log(`  ${kb(value / per).padStart(9)} KB  ${name}`);
  }
}

function printCounts(after: Map<string, number>, before: Map<string, number>, per: number): void {
  for (const [name, instances] of after) {
    console.log(`  ${((instances - (before.get(name) ?? 0)) / per).toFixed(2)} × ${name}`);
  }
}

function kb(bytes: number): string {
  return (bytes / 1024).toFixed(1);
}

main();

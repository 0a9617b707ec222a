// The model graph: an order to analyse models in (upstream first), the cycles that make such an order
// impossible, and the models downstream of a change. Nodes are model keys; edges point upstream.

export interface GraphOrder {
  /** Every node, upstream before downstream; cycle members come after the nodes they do not depend on. */
  order: string[];
  /** Node → the shortest cycle through it, as a path that starts and ends with the node. */
  cycles: Map<string, string[]>;
}

/**
 * Orders nodes so each comes after everything it reads (Kahn's algorithm, ties broken by name so the
 * result is stable). Nodes on a cycle cannot be ordered: they get their cycle path and are placed after
 * their acyclic upstream, followed by whatever reads them.
 */
export function orderGraph(nodes: Iterable<string>, upstreamOf: (node: string) => Iterable<string>): GraphOrder {
  const all = [...new Set(nodes)].sort();
  const members = new Set(all);
  const upstream = new Map<string, string[]>();
  const downstream = new Map<string, string[]>();
  for (const node of all) downstream.set(node, []);
  for (const node of all) {
    const ups = [...new Set(upstreamOf(node))].filter((u) => members.has(u) && u !== node);
    upstream.set(node, ups);
    for (const u of ups) downstream.get(u)!.push(node);
  }

  const order = kahn(all, upstream, downstream, new Set());
  const cycles = new Map<string, string[]>();
  if (order.length === all.length) return { order, cycles };

  const placed = new Set(order);
  const left = all.filter((n) => !placed.has(n));
  const leftSet = new Set(left);
  for (const node of left) {
    const path = shortestCycle(node, upstream, leftSet);
    if (path) cycles.set(node, path);
  }
  // Cycle members go first (by name); the rest of what is left only reads them or each other, acyclically.
  const cyclic = left.filter((n) => cycles.has(n));
  const done = new Set([...placed, ...cyclic]);
  const rest = kahn(left.filter((n) => !cycles.has(n)), upstream, downstream, done);
  return { order: [...order, ...cyclic, ...rest], cycles };
}

function kahn(
  nodes: string[],
  upstream: Map<string, string[]>,
  downstream: Map<string, string[]>,
  alreadyDone: ReadonlySet<string>,
): string[] {
  const included = new Set(nodes);
  const waiting = new Map<string, number>();
  for (const n of nodes) waiting.set(n, upstream.get(n)!.filter((u) => included.has(u) && !alreadyDone.has(u)).length);
  // A sorted queue keeps the order deterministic; nodes are few enough that re-sorting is cheap.
  let ready = nodes.filter((n) => waiting.get(n) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    const next: string[] = [];
    for (const node of ready) {
      order.push(node);
      for (const d of downstream.get(node) ?? []) {
        if (!included.has(d)) continue;
        const count = waiting.get(d)! - 1;
        waiting.set(d, count);
        if (count === 0) next.push(d);
      }
    }
    ready = next.sort();
  }
  return order;
}

/** The shortest path node → ... → node following upstream edges inside `within`, or undefined. */
function shortestCycle(node: string, upstream: Map<string, string[]>, within: ReadonlySet<string>): string[] | undefined {
  const previous = new Map<string, string>();
  let frontier = [node];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const current of frontier) {
      for (const u of upstream.get(current) ?? []) {
        if (!within.has(u)) continue;
        if (u === node) {
          const path = [node];
          for (let at: string | undefined = current; at !== undefined && at !== node; at = previous.get(at)) path.push(at);
          // path is node, current, ..., back towards node; reverse the middle so it reads in edge order.
          const middle = path.slice(1).reverse();
          return [node, ...middle, node];
        }
        if (u !== node && !previous.has(u)) {
          previous.set(u, current);
          next.push(u);
        }
      }
    }
    frontier = next;
  }
  return undefined;
}

/** Every node reachable from `start` by following `next` (start itself included). */
export function closure(start: Iterable<string>, next: (node: string) => Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const stack = [...start];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const n of next(node)) if (!seen.has(n)) stack.push(n);
  }
  return seen;
}

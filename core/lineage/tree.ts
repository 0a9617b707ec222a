// Lineage trees as text, one column per line with box-drawing branches (the CLI and pull-request comments).

import type { DownstreamNode } from './project';

export function downstreamLabel(node: DownstreamNode): string {
  return `${node.role === 'filter' ? 'filter: ' : ''}${node.column}${node.repeated ? '  (shown above)' : ''}`;
}

/** Draws a tree with box-drawing branches, one node per line. */
export function renderTree<N extends { children: N[] }>(root: N, label: (node: N) => string, keep: (node: N) => boolean = () => true): string[] {
  const lines = [label(root)];
  const walk = (node: N, prefix: string): void => {
    const children = node.children.filter(keep);
    children.forEach((child, i) => {
      const last = i === children.length - 1;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${label(child)}`);
      walk(child, prefix + (last ? '    ' : '│   '));
    });
  };
  walk(root, '');
  return lines;
}

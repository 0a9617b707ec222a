// Short labels for places with little room (CodeLens titles, tree items), shared by the language server and
// the extension. Each has a long form that goes into a tooltip; nothing here drops information for good.

/** Types longer than this are cut to their outer shape, e.g. struct(…). */
const TYPE_ROOM = 24;

const TYPE_ALIASES: Record<string, string> = {
  'TIMESTAMP WITH TIME ZONE': 'timestamptz',
  'TIME WITH TIME ZONE': 'timetz',
  'CHARACTER VARYING': 'varchar',
  'DOUBLE PRECISION': 'double',
};

/** A column type in a few characters: DuckDB's short aliases, lower-case; nested types as struct(…). */
export function shortType(type: string): string {
  const upper = type.trim().toUpperCase();
  if (TYPE_ALIASES[upper]) return TYPE_ALIASES[upper];
  const lower = type.trim().toLowerCase();
  if (lower.length <= TYPE_ROOM) return lower;
  const open = lower.indexOf('(');
  if (open < 0) return `${lower.slice(0, TYPE_ROOM - 1)}…`;
  // Keep what follows the outer parentheses (a list's []).
  let depth = 0;
  let close = -1;
  for (let i = open; i < lower.length; i++) {
    if (lower[i] === '(') depth++;
    else if (lower[i] === ')' && --depth === 0) {
      close = i;
      break;
    }
  }
  return `${lower.slice(0, open)}(…)${close < 0 ? '' : lower.slice(close + 1)}`;
}

/** "a, b, c +5 more": the first `max` items, then how many are left out. */
export function listWithMore(items: readonly string[], max: number): string {
  const shown = items.slice(0, Math.max(0, max));
  const more = items.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? `${shown.length > 0 ? ' ' : ''}+${more} more` : ''}`;
}

/** "12 columns" */
export function countOf(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${noun}${n === 1 ? '' : 's'}`;
}

/** Columns for a CodeLens: a short title with the first few, and a tooltip with every one and its full type. */
export function columnsLabel(columns: readonly { name: string; type?: string }[], max: number): { title: string; tooltip: string } {
  const short = columns.map((c) => `${c.name}${c.type ? ` ${shortType(c.type)}` : ''}`);
  const full = columns.map((c) => `${c.name}${c.type ? ` ${c.type.toLowerCase()}` : ''}`);
  return { title: `${countOf(columns.length, 'column')}: ${listWithMore(short, max)}`, tooltip: full.join('\n') };
}

const KIND_LABELS: Record<string, string> = {
  INCREMENTAL_BY_TIME_RANGE: 'incremental by time',
  INCREMENTAL_BY_UNIQUE_KEY: 'incremental by key',
  INCREMENTAL_BY_PARTITION: 'incremental by partition',
  INCREMENTAL_UNMANAGED: 'incremental, unmanaged',
  SCD_TYPE_2: 'SCD type 2',
  SCD_TYPE_2_BY_TIME: 'SCD type 2 by time',
  SCD_TYPE_2_BY_COLUMN: 'SCD type 2 by column',
};

/** A model kind as words: INCREMENTAL_BY_TIME_RANGE is "incremental by time", FULL is "full". */
export function kindLabel(kind: string): string {
  return KIND_LABELS[kind.toUpperCase()] ?? kind.toLowerCase().replace(/_/g, ' ');
}

// How the CLI talks: tables for people, exactly one JSON object on stdout for machines,
// and one line on stderr when something goes wrong.

export class CliFailure extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

let jsonPrinted = false;

export function printJson(value: unknown): void {
  jsonPrinted = true;
  process.stdout.write(JSON.stringify(value, jsonReplacer, 2) + '\n');
}

/** Whether this run already answered on stdout with its JSON object. */
export function hasPrintedJson(): boolean {
  return jsonPrinted;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  return value;
}

/** Left-aligned text columns, numbers right-aligned (or the columns `rightAligned` says). */
export function formatTable(header: string[], rows: (string | number)[][], rightAligned?: readonly boolean[]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = rightAligned ?? header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const line = (r: string[]) =>
    r.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n') + '\n';
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

// DuckDB SQL is parsed by DuckDB itself (json_serialize_sql), so Sluice never disagrees with the
// engine about what a query means. One small in-memory instance is created on first use and reused;
// many texts are serialized in a single round trip so a large project parses quickly. The instance has no
// access to files or the network, and lends a second connection (withScratchConnection) to DuckDB's binder.

import { DuckDBConnection, DuckDBInstance, listValue } from '@duckdb/node-api';
import { SluiceError } from '../errors';
import type { QueryNode } from './ast';
import { SourceText, type SqlDiagnostic } from './diagnostic';

export interface ParsedSql {
  sql: string;
  source: SourceText;
  /** The query to analyse: the first statement, or undefined when the text did not parse. */
  query?: QueryNode;
  /** Every statement in the text (a model should have exactly one). */
  statements: QueryNode[];
  diagnostics: SqlDiagnostic[];
}

interface SerializedOk {
  error: false;
  statements: { node: QueryNode }[];
}

interface SerializedError {
  error: true;
  error_type?: string;
  error_message?: string;
  error_subtype?: string;
  position?: string | number;
}

const SERIALIZE_MANY =
  'SELECT json_serialize_sql(s, skip_null := true, skip_empty := true) AS j ' +
  'FROM unnest($1::VARCHAR[]) WITH ORDINALITY AS u(s, i) ORDER BY i';

interface Engine {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  /** Opened on first use: its default catalog is an empty in-memory database. */
  scratch?: DuckDBConnection;
}

/** The attached in-memory database the scratch connection uses (nothing else is ever in it). */
const SCRATCH_CATALOG = 'sluice_scratch';

let parser: Promise<Engine> | undefined;
// DuckDB connections run one statement at a time; callers are queued rather than interleaved.
let queue: Promise<unknown> = Promise.resolve();

function openParser(): Promise<Engine> {
  if (!parser) {
    parser = (async () => {
      // Serializing a large query allocates a lot for a moment; DuckDB's allocator keeps freed memory for
      // reuse by default (128 MiB per thread), which in a long-lived language server is memory never given
      // back. The parser stores nothing, so it returns everything at once. It never needs files or the network.
      const instance = await DuckDBInstance.create(':memory:', {
        threads: '1',
        allocator_flush_threshold: '0MiB',
        allocator_bulk_deallocation_flush_threshold: '0MiB',
        enable_external_access: 'false',
      });
      const connection = await instance.connect();
      return { instance, connection };
    })();
    parser.catch(() => (parser = undefined));
  }
  return parser;
}

function serialized<T>(task: () => Promise<T>): Promise<T> {
  const result = queue.then(task, task);
  queue = result.catch(() => undefined);
  return result;
}

/** Parses one SQL text. Syntax errors come back as diagnostics, never as exceptions. */
export async function parseSql(sql: string): Promise<ParsedSql> {
  const [parsed] = await parseMany([sql]);
  return parsed;
}

/** Parses many SQL texts in one DuckDB query; results are in input order. */
export async function parseMany(sqls: readonly string[]): Promise<ParsedSql[]> {
  if (sqls.length === 0) return [];
  const texts = sqls.map((s) => s.replace(/\u0000/g, ' '));
  const rows = await serialized(async () => {
    const { connection } = await openParser();
    try {
      const reader = await connection.runAndReadAll(SERIALIZE_MANY, [listValue(texts)]);
      return reader.getRows();
    } catch (err) {
      const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
      throw new SluiceError(`could not parse SQL with DuckDB: ${message}`);
    }
  });
  return rows.map((row, i) => toParsed(sqls[i], String(row[0])));
}

/**
 * Runs a task on the parser instance's second connection, whose default catalog is the empty in-memory
 * database SCRATCH_CATALOG; queued with parsing, so tasks should be short. Tasks leave nothing behind
 * (they work inside a transaction they roll back).
 */
export function withScratchConnection<T>(task: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  return serialized(async () => {
    const engine = await openParser();
    if (!engine.scratch) {
      const scratch = await engine.instance.connect();
      await scratch.run(`ATTACH ':memory:' AS ${SCRATCH_CATALOG}`);
      await scratch.run(`USE ${SCRATCH_CATALOG}`);
      engine.scratch = scratch;
    }
    return task(engine.scratch);
  });
}

/** Closes the shared parser instance (a later parse opens a new one). */
export async function closeSqlParser(): Promise<void> {
  const current = parser;
  parser = undefined;
  if (!current) return;
  await serialized(async () => {
    const { instance, connection, scratch } = await current;
    scratch?.closeSync();
    connection.closeSync();
    instance.closeSync();
  }).catch(() => undefined);
}

function toParsed(sql: string, json: string): ParsedSql {
  const source = new SourceText(sql);
  const result = JSON.parse(json) as SerializedOk | SerializedError;
  if (result.error) {
    return { sql, source, statements: [], diagnostics: [errorDiagnostic(source, result)] };
  }
  const statements = (result.statements ?? []).map((s) => s.node);
  const diagnostics: SqlDiagnostic[] = [];
  if (statements.length === 0) {
    diagnostics.push(source.diagnosticAtByte(0, 'the query is empty', 'error'));
  } else if (statements.length > 1) {
    diagnostics.push(
      source.diagnosticAtByte(0, `expected one SELECT statement, found ${statements.length}`, 'error'),
    );
  }
  return { sql, source, query: statements[0], statements, diagnostics };
}

function errorDiagnostic(source: SourceText, err: SerializedError): SqlDiagnostic {
  const raw = (err.error_message ?? 'could not parse the query').split('\n')[0];
  if (err.error_type === 'not implemented' && /only select/i.test(raw)) {
    return source.diagnosticAtByte(0, 'only SELECT statements are supported here', 'error');
  }
  // Error positions count code points, unlike node locations, which count bytes.
  return source.diagnosticAt(source.indexOfCodePoint(err.position ?? 0), raw, 'error');
}

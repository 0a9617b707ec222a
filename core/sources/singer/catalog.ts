// The tap's catalog: its streams, their JSON Schemas and key properties. Read from the configured file, or
// from the tap's own --discover output. The streams used are the ones marked selected, or every stream
// when none is; the tap is then given a catalog with exactly those marked selected (most taps sync only
// selected streams).

import { SluiceError } from '../../errors';
import { describeThrown, isPlainObject } from '../../ingest/extract/describe';

export interface CatalogStream {
  /** The stream name RECORD and SCHEMA messages carry: the resource name. */
  stream: string;
  tapStreamId: string;
  schema: Record<string, unknown>;
  keyProperties: string[];
}

export interface Catalog {
  streams: CatalogStream[];
  /** The catalog to hand the tap, the used streams marked selected. */
  document: Record<string, unknown>;
}

/** Parses catalog JSON; `where` names its origin in errors (a file, or the tap's --discover). */
export function parseCatalog(text: string, where: string): Catalog {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SluiceError(`${where}: the catalog is not valid JSON (${describeThrown(err)})`);
  }
  if (!isPlainObject(value) || !Array.isArray(value.streams)) throw new SluiceError(`${where}: a catalog must be an object { "streams": [...] }`);
  const entries = value.streams.map((entry, index) => {
    if (!isPlainObject(entry)) throw new SluiceError(`${where}: streams[${index}] is not an object`);
    const stream = entry.stream ?? entry.tap_stream_id;
    if (typeof stream !== 'string' || !stream) throw new SluiceError(`${where}: streams[${index}] has no stream name`);
    if (!isPlainObject(entry.schema)) throw new SluiceError(`${where}: stream "${stream}" has no schema object`);
    return { entry, stream };
  });
  const anySelected = entries.some(({ entry }) => isSelected(entry));
  const used = entries.filter(({ entry }) => !anySelected || isSelected(entry));
  const seen = new Set<string>();
  for (const { stream } of used) {
    if (seen.has(stream)) throw new SluiceError(`${where}: stream "${stream}" appears twice`);
    seen.add(stream);
  }
  return {
    streams: used.map(({ entry, stream }) => ({
      stream,
      tapStreamId: typeof entry.tap_stream_id === 'string' ? entry.tap_stream_id : stream,
      schema: entry.schema as Record<string, unknown>,
      keyProperties: keyProperties(entry),
    })),
    document: { ...value, streams: used.map(({ entry }) => markSelected(entry)) },
  };
}

/** Stream-level metadata (breadcrumb []) in the current catalog format. */
function streamMetadata(entry: Record<string, unknown>): Record<string, unknown> | undefined {
  if (!Array.isArray(entry.metadata)) return undefined;
  const top = entry.metadata.find((m) => isPlainObject(m) && Array.isArray(m.breadcrumb) && m.breadcrumb.length === 0);
  return isPlainObject(top) && isPlainObject(top.metadata) ? top.metadata : undefined;
}

function isSelected(entry: Record<string, unknown>): boolean {
  const meta = streamMetadata(entry);
  if (meta?.selected !== undefined) return meta.selected === true;
  // The legacy format marks the schema itself.
  return isPlainObject(entry.schema) && entry.schema.selected === true;
}

function keyProperties(entry: Record<string, unknown>): string[] {
  const fromMeta = streamMetadata(entry)?.['table-key-properties'];
  const keys = Array.isArray(fromMeta) ? fromMeta : entry.key_properties;
  return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string' && k !== '') : [];
}

function markSelected(entry: Record<string, unknown>): Record<string, unknown> {
  const metadata = Array.isArray(entry.metadata) ? entry.metadata.filter((m) => !(isPlainObject(m) && Array.isArray(m.breadcrumb) && m.breadcrumb.length === 0)) : [];
  const top = { breadcrumb: [], metadata: { ...streamMetadata(entry), selected: true } };
  return { ...entry, schema: { ...(entry.schema as object), selected: true }, metadata: [top, ...metadata] };
}

// singerTap(): a Singer tap as a Sluice source. The catalog (a file, or the tap's --discover) gives the
// streams; each stream is a resource with the stream's key properties as primary key and its JSON Schema
// as column hints. One hidden resource, "_tap", runs the tap once and hands each page of its output to
// the stream resources (transformers of it), so interleaved streams load in one pass with bounded memory.
// The tap's last STATE is the hidden resource's state: committed with the load, passed back with --state.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SluiceError } from '../../errors';
import { isPlainObject } from '../../ingest/extract/describe';
import { setPreparer, type PrepareContext } from '../../ingest/extract/prepare';
import type { Item, ResourceContext, ResourceDef, SourceDef } from '../../ingest/types';
import { Masker, resolveSecrets } from '../rest/secrets';
import { parseCatalog, type Catalog, type CatalogStream } from './catalog';
import { validateSingerConfig, type SingerTapConfig } from './config';
import { schemaHints } from './hints';
import { MessageReader } from './messages';
import { describeTap, tapLines, tapOutput, type Tap } from './tap';

/** The resource that runs the tap; its state is the tap's. */
export const TAP_RESOURCE = '_tap';

/** Keys of a tap config file whose values are masked in logs and errors. */
const SECRET_KEY = /token|secret|password|passwd|key|credential|auth/i;

interface TapItem extends Item {
  records: Map<string, Item[]>;
}

export function singerTap(input: SingerTapConfig): SourceDef {
  const config = validateSingerConfig(input);
  // Streams named in the config are listed before any run (sluice sources, the editor); the catalog fills in the rest.
  const source: SourceDef = {
    name: config.name,
    resources: Object.keys(config.streams ?? {}).map((stream) => ({
      name: stream,
      rows: () => {
        throw new SluiceError(`source "${config.name}": stream "${stream}" is read only by sluice ingest`);
      },
    })),
  };
  setPreparer(source, async (target, ctx) => {
    const tapConfig = config.config;
    const masker = new Masker(ctx.secrets);
    const resolved = tapConfig && resolveSecrets(tapConfig, ctx.secrets, `source "${config.name}": config`, masker);
    maskConfigFile(config.command, ctx.projectDir, masker);
    const tap = (log: PrepareContext['log'], signal?: AbortSignal): Tap => ({
      command: config.command,
      cwd: ctx.projectDir,
      mask: (text) => masker.mask(text),
      log,
      signal,
    });
    const catalog = await withTempDir(async (dir) => {
      if (config.catalog) return readCatalogFile(config, ctx.projectDir);
      const args = [...configArgs(dir, resolved), '--discover'];
      const text = await tapOutput(tap(ctx.log), args);
      const found = parseCatalog(text, `the tap's --discover output (${describeTap(tap(ctx.log), args)})`);
      ctx.log.debug(`${config.name}: the tap discovered ${found.streams.length} stream(s)`);
      return found;
    }).catch((err) => {
      throw prefixed(config.name, err);
    });
    for (const stream of Object.keys(config.streams ?? {})) {
      if (!catalog.streams.some((s) => s.stream === stream)) {
        throw new SluiceError(`source "${config.name}": streams.${stream} names a stream the catalog does not have (${catalog.streams.map((s) => s.stream).join(', ')})`);
      }
    }
    const names = new Set(catalog.streams.map((s) => s.stream));
    // The streams whose resources took part in the run (a transformer is called only when it runs).
    const fed = new Set<string>();
    if (names.has(TAP_RESOURCE)) throw new SluiceError(`source "${config.name}": a stream may not be called "${TAP_RESOURCE}" (Sluice's name for the tap itself)`);
    const feeder: ResourceDef = {
      name: TAP_RESOURCE,
      // Not a table: it runs only to feed the streams.
      selected: false,
      rows: (rctx) => runTap({ config, catalog, streams: names, fed, tapConfig: resolved, tap: tap(rctx.log, rctx.signal) }, rctx),
    };
    target.resources = [feeder, ...catalog.streams.map((stream) => streamResource(config, stream, fed))];
  });
  return source;
}

function streamResource(config: SingerTapConfig, stream: CatalogStream, fed: Set<string>): ResourceDef {
  const settings = config.streams?.[stream.stream] ?? {};
  const primaryKey = settings.primary_key ?? (stream.keyProperties.length > 0 ? stream.keyProperties : undefined);
  const resource: ResourceDef = {
    name: stream.stream,
    columns: schemaHints(stream.schema),
    writeDisposition: settings.write_disposition ?? (primaryKey ? 'merge' : 'append'),
    transformer: {
      from: TAP_RESOURCE,
      transform: (item) => {
        fed.add(stream.stream);
        return (item as TapItem).records.get(stream.stream);
      },
    },
  };
  if (primaryKey) resource.primaryKey = primaryKey;
  return resource;
}

interface TapRun {
  config: SingerTapConfig;
  catalog: Catalog;
  /** The streams that are resources. */
  streams: ReadonlySet<string>;
  fed: Set<string>;
  tapConfig: Record<string, unknown> | undefined;
  tap: Tap;
}

async function* runTap({ config, catalog, streams, fed, tapConfig, tap: run }: TapRun, ctx: ResourceContext): AsyncGenerator<TapItem> {
  fed.clear();
  let pages = 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-singer-'));
  try {
    const args = configArgs(dir, tapConfig);
    args.push('--catalog', writeJson(dir, 'catalog.json', catalog.document));
    const previous = ctx.state.singer;
    if (previous !== undefined) args.push('--state', writeJson(dir, 'state.json', previous));
    ctx.log.debug(`running ${describeTap(run, args)}`);
    const reader = new MessageReader(streams, ctx.log, run.mask);
    try {
      // With --limit N the engine takes at most N items from _tap too: a sample is gathered into one item
      // until every stream has N records (or the tap ends), a bounded amount since N is small.
      let sample: Map<string, Item[]> | undefined;
      for await (const page of tapLines(run, args)) {
        const records = reader.read(page);
        if (records.size === 0) continue;
        pages++;
        if (ctx.limit === undefined) {
          yield { records };
          continue;
        }
        sample = addToSample(sample ?? new Map(), records, ctx.limit);
        if ([...streams].every((s) => (sample!.get(s)?.length ?? 0) >= ctx.limit!)) break;
      }
      if (sample) yield { records: sample };
    } catch (err) {
      throw prefixed(config.name, err);
    }
    // The tap's state covers every stream it sent: when some records were not loaded (a --limit sample, or
    // only some streams' resources ran) the previous state stays, so the next run sends them again.
    const skipped = pages > 0 ? [...streams].filter((s) => !fed.has(s)) : [];
    if (ctx.limit !== undefined) ctx.log.info('the tap\'s state is not saved by a run with a limit');
    else if (skipped.length > 0) ctx.log.info(`the tap's state is not saved: streams ${skipped.join(', ')} did not run`);
    else if (reader.sawState) ctx.state.singer = reader.state;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Adds a page's records to a sample, keeping at most limit per stream. */
function addToSample(sample: Map<string, Item[]>, records: Map<string, Item[]>, limit: number): Map<string, Item[]> {
  for (const [stream, items] of records) {
    const kept = sample.get(stream) ?? [];
    kept.push(...items.slice(0, limit - kept.length));
    sample.set(stream, kept);
  }
  return sample;
}

function readCatalogFile(config: SingerTapConfig, projectDir: string): Catalog {
  const file = path.resolve(projectDir, config.catalog!);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new SluiceError(`catalog ${config.catalog} not found in the project directory`);
  }
  return parseCatalog(text, config.catalog!);
}

/** --config with the resolved tap config in a file only this user can read. */
function configArgs(dir: string, tapConfig: Record<string, unknown> | undefined): string[] {
  if (!tapConfig) return [];
  return ['--config', writeJson(dir, 'config.json', tapConfig)];
}

function writeJson(dir: string, name: string, value: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(value), { mode: 0o600 });
  return file;
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-singer-'));
  try {
    return await fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A config file named in the command (--config file): its secret-looking values are masked like secrets. */
function maskConfigFile(command: string[], projectDir: string, masker: Masker): void {
  const at = command.indexOf('--config');
  if (at < 0 || at + 1 >= command.length) return;
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(path.resolve(projectDir, command[at + 1]), 'utf8'));
  } catch {
    return; // the tap reports a missing or broken config itself
  }
  const walk = (v: unknown, secret: boolean): void => {
    if (typeof v === 'string' && secret) masker.add(v);
    else if (Array.isArray(v)) v.forEach((x) => walk(x, secret));
    else if (isPlainObject(v)) for (const [k, x] of Object.entries(v)) walk(x, secret || SECRET_KEY.test(k));
  };
  walk(value, false);
}

function prefixed(source: string, err: unknown): unknown {
  return err instanceof SluiceError && !err.message.startsWith('source "') ? new SluiceError(`source "${source}": ${err.message}`) : err;
}

import fs from 'node:fs';
import type { Command } from 'commander';
import { discoverSources, loadSourceByName } from '../../ingest/extract';
import { selectResources } from '../../ingest/pipeline';
import { describeError } from '../../errors';
import { withWarehouse } from '../../warehouse/connection';
import { readSchema } from '../../warehouse/system';
import { schemaToDocument } from '../../schema/export';
import { resolveProject } from '../context';
import { CliFailure, formatTable, printJson } from '../output';

interface Flags { project?: string; json?: boolean }

export function registerSources(program: Command): void {
  program
    .command('sources')
    .description('list sources and their resources, and whether each is enabled')
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .option('--json', 'print one JSON object')
    .action(async (flags: Flags) => {
      const project = resolveProject(flags.project);
      const sources = [];
      for (const { name, file } of await discoverSources(project.dir)) {
        try {
          const source = await loadSourceByName(project.dir, name);
          const enabled = new Set(selectResources(source, project));
          sources.push({
            name: source.name,
            file,
            resources: source.resources.map((r) => ({
              name: r.name,
              enabled: enabled.has(r.name),
              write_disposition: typeof r.writeDisposition === 'object' ? r.writeDisposition.disposition : (r.writeDisposition ?? 'append'),
              incremental: r.incremental?.cursor ?? null,
              transformer_of: r.transformer?.from ?? null,
            })),
          });
        } catch (err) {
          sources.push({ name, file, error: describeError(err), resources: [] });
        }
      }
      if (flags.json) return printJson({ sources });
      const rows: string[][] = [];
      for (const s of sources) {
        if ('error' in s && s.error) rows.push([s.name, '-', 'error', String(s.error)]);
        // A database source reading every table knows them once an ingest reflects the catalog.
        else if (s.resources.length === 0) rows.push([s.name, '-', 'enabled', 'resources listed when an ingest starts']);
        for (const r of s.resources) rows.push([s.name, r.name, r.enabled ? 'enabled' : 'disabled', r.write_disposition + (r.incremental ? ` (incremental on ${r.incremental})` : '')]);
      }
      process.stdout.write(rows.length ? formatTable(['source', 'resource', 'state', 'load'], rows) : 'No sources in sources/.\n');
    });
}

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('show the tables, columns and types inferred for a source')
    .argument('<source>', 'source name')
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .option('--json', 'print one JSON object')
    .action(async (sourceName: string, flags: Flags) => {
      const project = resolveProject(flags.project);
      const schema = fs.existsSync(project.warehouse)
        ? await withWarehouse(project.warehouse, (wh) => readSchema(wh, sourceName), { readOnly: true })
        : undefined;
      if (!schema) throw new CliFailure(`no schema for source "${sourceName}" yet: run \`sluice ingest ${sourceName}\` first`);
      if (flags.json) return printJson(schemaToDocument(schema));
      process.stdout.write(`${schema.name} (schema version ${schema.version})\n`);
      for (const table of schema.tables) {
        process.stdout.write(`\n${schema.name}.${table.name}  [${table.writeDisposition}${table.parent ? `, child of ${table.parent}` : ''}]\n`);
        process.stdout.write(
          formatTable(
            ['column', 'type', 'nullable', 'field'],
            table.columns.map((c) => [c.name, c.dataType + (c.primaryKey ? ' (pk)' : ''), c.nullable ? 'yes' : 'no', c.path?.join('.') ?? '']),
          ).trimEnd().replace(/^/gm, '  ') + '\n',
        );
      }
    });
}

// Sources whose resources are only known at run time (a database's tables, reflected from its catalog)
// register a preparer: it runs once per ingest, with the run's secrets, before resources are selected.

import type { Logger, SourceDef } from '../types';

export interface PrepareContext {
  /** The project directory (the one holding sluice.yaml): relative paths in a source's config start here. */
  projectDir: string;
  /** Non-secret config values from sluice.yaml (sources.<name>.config). */
  config: Record<string, unknown>;
  /** Secrets from environment variables / .env. Never logged. */
  secrets: Record<string, string | undefined>;
  log: Logger;
}

/** Fills in (or replaces) source.resources in place, so that the source keeps its origin and console. */
export type SourcePreparer = (source: SourceDef, ctx: PrepareContext) => Promise<void>;

const preparers = new WeakMap<object, SourcePreparer>();

export function setPreparer(source: SourceDef, preparer: SourcePreparer): void {
  preparers.set(source, preparer);
}

/** Whether the source lists its resources itself at run time (it may then export none). */
export function hasPreparer(source: unknown): boolean {
  return typeof source === 'object' && source !== null && preparers.has(source);
}

/** Runs the source's preparer, if it has one; a source without one is left as it is. */
export async function prepareSource(source: SourceDef, ctx: PrepareContext): Promise<void> {
  await preparers.get(source)?.(source, ctx);
}

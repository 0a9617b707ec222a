// Secrets come from the environment or from a git-ignored .env beside sluice.yaml; the environment wins.

import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { SluiceError } from '../errors';
import type { Project } from './config';
import { sourceSettings } from './config';

export function readDotEnv(projectDir: string): Record<string, string> {
  const file = path.join(projectDir, '.env');
  if (!fs.existsSync(file)) return {};
  return parseDotEnv(fs.readFileSync(file, 'utf8'));
}

/**
 * Node's parser, fed only assignment lines: a stray line without '=' would otherwise swallow the next
 * line's key, and a byte-order mark would hide the first key.
 */
export function parseDotEnv(text: string): Record<string, string> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const kept: string[] = [];
  let inQuotedValue = false;
  for (const line of lines) {
    // Lines inside a multi-line quoted value belong to it, whatever they look like.
    if (inQuotedValue || /^\s*(export\s+)?[\w.-]+\s*=/.test(line) || /^\s*(#|$)/.test(line)) kept.push(line);
    inQuotedValue = opensOrClosesQuote(line, inQuotedValue);
  }
  return parseEnv(kept.join('\n')) as Record<string, string>;
}

/** Tracks whether a double-quoted value is still open after this line. */
function opensOrClosesQuote(line: string, open: boolean): boolean {
  const value = open ? line : line.replace(/^\s*(export\s+)?[\w.-]+\s*=\s*/, '');
  if (!open && !value.startsWith('"')) return false;
  const quotes = (value.match(/(?<!\\)"/g) ?? []).length;
  return quotes % 2 === 1 ? !open : open;
}

/** The secrets a source may see: the names it declares in sluice.yaml plus every key of .env. */
export function resolveSecrets(
  project: Project,
  source: string,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string | undefined> {
  const dotEnv = readDotEnv(project.dir);
  const names = new Set([...sourceSettings(project, source).secrets, ...Object.keys(dotEnv)]);
  const secrets: Record<string, string | undefined> = {};
  for (const name of names) secrets[name] = env[name] ?? dotEnv[name];
  return secrets;
}

/** `${secrets.NAME}` in config text (URLs, credentials, headers). */
export const SECRET_REFERENCE = /\$\{secrets\.([A-Za-z_][\w.-]*)\}/g;

/**
 * The text with each `${secrets.NAME}` replaced by the secret's value. An unset or empty secret throws a
 * SluiceError worded by `missing` (which names the secret, never a value).
 */
export function fillSecretReferences(
  text: string,
  valueOf: (name: string) => string | undefined,
  missing: (name: string) => string,
  reference: RegExp = SECRET_REFERENCE,
): string {
  return text.replace(reference, (_all, name: string) => {
    const value = valueOf(name);
    if (value === undefined || value === '') throw new SluiceError(missing(name));
    return value;
  });
}

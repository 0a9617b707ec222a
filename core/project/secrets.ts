// Secrets come from the environment or from a git-ignored .env beside sluice.yaml; the environment wins.

import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import type { Project } from './config';
import { sourceSettings } from './config';

export function readDotEnv(projectDir: string): Record<string, string> {
  const file = path.join(projectDir, '.env');
  if (!fs.existsSync(file)) return {};
  return parseEnv(fs.readFileSync(file, 'utf8')) as Record<string, string>;
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

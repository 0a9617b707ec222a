// The logger a resource gets: lines carry the resource name and never show a secret's value.

import { inspect } from 'node:util';
import type { Logger } from '../types';

/** Replaces every secret value occurring in text with ***. Longer secrets first, so overlapping ones leave nothing. */
export function maskSecrets(text: string, secrets: Record<string, string | undefined>): string {
  return secretMasker(secrets)(text);
}

/** maskSecrets with the secrets sorted once, for text masked many times over (log lines, items). */
export function secretMasker(secrets: Record<string, string | undefined>): (text: string) => string {
  const values = Object.values(secrets)
    .filter((v): v is string => typeof v === 'string' && v.trim().length > 0)
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const value of values) out = out.split(value).join('***');
    return out;
  };
}

export function resourceLogger(resource: string, log: Logger, secrets: Record<string, string | undefined>): Logger {
  const mask = secretMasker(secrets);
  const line = (message: unknown) => mask(`[${resource}] ${typeof message === 'string' ? message : inspect(message)}`);
  return {
    info: (message) => log.info(line(message)),
    warn: (message) => log.warn(line(message)),
    debug: (message) => log.debug(line(message)),
  };
}

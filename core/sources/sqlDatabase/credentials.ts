// The connection URL: '${secrets.NAME}' resolved from the run's secrets, the driver it names, and the
// form that may appear in messages (password masked).

import { SluiceError } from '../../errors';
import { fillSecretReferences } from '../../project/secrets';

export type Driver = 'postgres' | 'mysql';

export interface Credentials {
  driver: Driver;
  url: string;
  /** The URL with its password replaced by ***, for messages. */
  shown: string;
  /** The database named in the URL's path, if any. */
  database?: string;
}

const DRIVERS: Record<string, Driver> = {
  'postgres:': 'postgres',
  'postgresql:': 'postgres',
  'mysql:': 'mysql',
  'mariadb:': 'mysql',
};

export function resolveCredentials(source: string, template: string, secrets: Record<string, string | undefined>): Credentials {
  const text = fillSecretReferences(
    template,
    (name) => secrets[name],
    (name) => `source "${source}": credentials read secret ${name}, which is not set (set it in the environment or in .env beside sluice.yaml)`,
  );
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The text may be a secret: never show it.
    throw new SluiceError(`source "${source}": credentials are not a URL like postgres://user:password@host:5432/database`);
  }
  const driver = DRIVERS[url.protocol];
  if (!driver) {
    throw new SluiceError(`source "${source}": credentials URL scheme "${url.protocol}" is not postgres:// or mysql:// (mariadb://)`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || undefined;
  // mysql2 only knows mysql://.
  const normalized = driver === 'mysql' && url.protocol === 'mariadb:' ? `mysql:${text.slice(url.protocol.length)}` : text;
  return { driver, url: normalized, shown: maskUrl(url), database };
}

function maskUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '***';
  copy.search = '';
  return copy.href;
}

// `${secrets.NAME}` placeholders in a REST config, filled from the source's secrets at run time, and the
// masking of every secret value (resolved placeholders, literal auth values, fetched tokens) wherever text
// leaves the source: log lines, error messages and the items themselves.

import { secretMasker } from '../../ingest/extract/logger';
import { fillSecretReferences } from '../../project/secrets';

const PLACEHOLDER = /\$\{secrets\.([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Fills the placeholders of every string in value (objects and lists walked, functions kept). */
export function resolveSecrets<T>(value: T, secrets: Record<string, string | undefined>, path: string, masker: Masker): T {
  if (typeof value === 'string') {
    return fillSecretReferences(
      value,
      (name) => {
        masker.add(secrets[name]);
        return secrets[name];
      },
      (name) => `${path} uses \${secrets.${name}}, but secret ${name} is not set (set it in the environment or .env, and list it under sources.<name>.secrets in sluice.yaml)`,
      PLACEHOLDER,
    ) as T;
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveSecrets(v, secrets, `${path}[${i}]`, masker)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveSecrets(v, secrets, `${path}.${k}`, masker);
    return out as T;
  }
  return value;
}

/**
 * The secret values of one run. Text (log lines, errors) is masked with every secret of the source; items
 * only with the secrets this config sends (placeholders it filled, auth values, fetched tokens), so that an
 * unrelated short secret in .env cannot rewrite ordinary data.
 */
export class Masker {
  private readonly all: Record<string, string> = {};
  private readonly sent: Record<string, string> = {};
  /** Made again only when a secret is added (a fetched token), not for every string masked. */
  private maskAll?: (text: string) => string;
  private maskSent?: (text: string) => string;

  constructor(secrets: Record<string, string | undefined> = {}) {
    for (const v of Object.values(secrets)) if (v) addValue(this.all, v);
  }

  /** A value this source sends to the API. */
  add(value: string | undefined): void {
    if (!value || value.trim().length === 0) return;
    addValue(this.all, value);
    addValue(this.sent, value);
    this.maskAll = undefined;
    this.maskSent = undefined;
  }

  /** Whether items need masking at all (the config sends a secret). */
  get masksItems(): boolean {
    return Object.keys(this.sent).length > 0;
  }

  mask(text: string): string {
    this.maskAll ??= secretMasker(this.all);
    return this.maskAll(text);
  }

  /** Masks the sent secrets inside an item's strings (an API may echo a token, say in a next-page URL). */
  maskItem<T>(value: T): T {
    if (typeof value === 'string') {
      this.maskSent ??= secretMasker(this.sent);
      return this.maskSent(value) as T;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = this.maskItem(value[i]);
      return value;
    }
    if (value !== null && typeof value === 'object') {
      const obj = value as Record<string, unknown>;
      for (const key of Object.keys(obj)) obj[key] = this.maskItem(obj[key]);
    }
    return value;
  }
}

function addValue(into: Record<string, string>, value: string): void {
  into[value] = value;
  // A secret in a URL query or a Basic header appears encoded.
  const encoded = encodeURIComponent(value);
  if (encoded !== value) into[encoded] = encoded;
}

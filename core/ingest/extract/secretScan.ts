// Finds the value of a configured secret inside something that is about to be persisted (resource state
// goes into the warehouse as plain JSON). A secret is read from the environment on every run, so keeping
// it in state is never needed, and storing it would leak it to anyone who can read the warehouse.

export interface SecretHit {
  /** Dotted path inside the scanned value, with list positions in brackets: `auth.tokens[0]`. */
  path: string;
  /** Name of the secret whose value was found (never the value). */
  secret: string;
}

/** The first string (value or key) containing a non-blank secret value; undefined when there is none. */
export function findSecret(value: unknown, secrets: Record<string, string | undefined>): SecretHit | undefined {
  const named = Object.entries(secrets).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== '');
  if (named.length === 0) return undefined;
  const secretIn = (text: string) => named.find(([, secret]) => text.includes(secret))?.[0];
  const seen = new Set<object>();
  const walk = (v: unknown, path: string): SecretHit | undefined => {
    if (typeof v === 'string') {
      const secret = secretIn(v);
      return secret === undefined ? undefined : { path, secret };
    }
    if (v === null || typeof v !== 'object' || seen.has(v)) return undefined;
    seen.add(v);
    const entries: [string, unknown][] = Array.isArray(v) ? v.map((x, i) => [`[${i}]`, x]) : Object.entries(v).map(([k, x]) => [`.${k}`, x]);
    for (const [step, child] of entries) {
      const key = step.startsWith('.') ? secretIn(step) : undefined;
      if (key !== undefined) return { path: path + '.(a key)', secret: key };
      const hit = walk(child, path + step);
      if (hit) return hit;
    }
    return undefined;
  };
  return walk(value, '');
}

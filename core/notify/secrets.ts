// `${secrets.NAME}` in a target's url or routing_key, looked up like a source's secrets: the environment
// first, then the project's git-ignored .env. The values are only ever sent, never printed or stored.

import { SluiceError } from '../errors';
import { maskSecrets } from '../ingest/extract/logger';
import type { Project } from '../project/config';
import { fillSecretReferences, readDotEnv } from '../project/secrets';
import type { NotificationTarget } from './types';

export interface ResolvedTarget {
  target: NotificationTarget;
  url?: string;
  routingKey?: string;
  /** The secret values used, to mask in anything that is shown or recorded. */
  secrets: Record<string, string>;
}

/** The target with its secrets filled in; a SluiceError naming the missing secret (never a value) otherwise. */
export function resolveTarget(project: Project, target: NotificationTarget, env: NodeJS.ProcessEnv = process.env): ResolvedTarget {
  let dotEnv: Record<string, string> | undefined;
  const secrets: Record<string, string> = {};
  const fill = (text: string | undefined, key: string): string | undefined =>
    text === undefined
      ? undefined
      : fillSecretReferences(
          text,
          (name) => {
            dotEnv ??= readDotEnv(project.dir);
            const value = env[name] ?? dotEnv[name];
            if (value) secrets[name] = value;
            return value;
          },
          (name) => `notification target ${target.name}: ${key} needs the secret ${name}; set it in the environment or in .env`,
        );
  const url = fill(target.url, 'url');
  const routingKey = fill(target.routingKey, 'routing_key');
  return { target, ...(url === undefined ? {} : { url }), ...(routingKey === undefined ? {} : { routingKey }), secrets };
}

/** Text with every secret value of the target replaced by ***. */
export function masked(text: string, resolved: Pick<ResolvedTarget, 'secrets'>): string {
  return maskSecrets(text, resolved.secrets);
}

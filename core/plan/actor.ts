// Who applies an environment: the operating-system user and, on a CI runner, the identity the CI system
// names (the GitHub actor, ...). Recorded with the environment so `sluice environments` can say who made it.

import os from 'node:os';

export interface Actor {
  /** Operating-system user name. */
  user: string;
  /** The CI system's name for whoever triggered the run, e.g. `github:octocat`. */
  ci?: string;
}

/** CI systems' variables naming the person behind a run, first match wins. */
const CI_IDENTITIES: [system: string, variable: string][] = [
  ['github', 'GITHUB_ACTOR'],
  ['gitlab', 'GITLAB_USER_LOGIN'],
  ['bitbucket', 'BITBUCKET_STEP_TRIGGERER_UUID'],
  ['buildkite', 'BUILDKITE_BUILD_CREATOR'],
];

export function currentActor(env: NodeJS.ProcessEnv = process.env): Actor {
  const actor: Actor = { user: osUser(env) };
  for (const [system, variable] of CI_IDENTITIES) {
    const value = env[variable]?.trim();
    if (value) {
      actor.ci = `${system}:${value}`;
      break;
    }
  }
  return actor;
}

function osUser(env: NodeJS.ProcessEnv): string {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry (some containers): the shell's idea of the user, else unknown.
    return env.USER ?? env.USERNAME ?? 'unknown';
  }
}

/** `alice`, or `runner (github:octocat)`. */
export function formatActor(actor: Actor | undefined): string {
  if (!actor) return 'unknown';
  return actor.ci ? `${actor.user} (${actor.ci})` : actor.user;
}

/** Reads an actor stored as JSON; undefined for rows written before actors were recorded. */
export function parseActor(text: string | null | undefined): Actor | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<Actor>;
    if (typeof value.user !== 'string') return undefined;
    return typeof value.ci === 'string' ? { user: value.user, ci: value.ci } : { user: value.user };
  } catch {
    return undefined;
  }
}

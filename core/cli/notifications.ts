// The commands' side of alerts: send what a command has to report, and print the one line saying how it went.
// Nothing here can fail the command: delivery problems are part of that line.

import type { ModelProject } from '../dag/project';
import { notify, type NotifyRequest } from '../notify/notify';
import type { ModelInfo } from '../notify/events';
import type { Project } from '../project/config';

export async function announce(project: Project | undefined, request: NotifyRequest | (() => NotifyRequest)): Promise<void> {
  if (!project?.notifications?.length) return;
  try {
    const outcome = await notify(project, typeof request === 'function' ? request() : request);
    if (outcome.line) process.stderr.write(`${outcome.line}\n`);
  } catch (err) {
    process.stderr.write(`Notifications: failed: ${(err as Error).message.split('\n')[0]}.\n`);
  }
}

/** Owner and tags of the project's models, from their MODEL blocks. */
export function modelInfo(models: ModelProject): ModelInfo {
  return (name) => {
    const definition = models.preparedModel(name)?.parsed.definition;
    return definition ? { ...(definition.owner ? { owner: definition.owner } : {}), ...(definition.tags ? { tags: definition.tags } : {}) } : undefined;
  };
}

/** The command line that ran, to reproduce it (--json and --notify left out: they change only the output). */
export function commandLine(): string {
  const args = process.argv.slice(2).filter((a) => a !== '--json' && a !== '--notify');
  return ['sluice', ...args.map((a) => (/^[\w./:=@,+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))].join(' ');
}

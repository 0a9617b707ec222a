// `sluice notify test [TARGET]`: sends a sample event to one target (or all), to check a webhook or routing
// key end to end. `sluice notify flush`: sends the digests waiting for working hours that have now begun
// (every command that notifies does this too; flush is for a cron between runs).

import type { Command } from 'commander';
import { now } from '../../clock';
import { eventKey } from '../../notify/events';
import { notify } from '../../notify/notify';
import type { NotificationEvent } from '../../notify/types';
import type { Project } from '../../project/config';
import { resolveProject } from '../context';
import { CliFailure, printJson } from '../output';

export function registerNotify(program: Command): void {
  const command = program.command('notify').description('alerts: send a sample to a target, or flush the digests due');
  command
    .command('test')
    .description('send a sample notification to a target (default: every target)')
    .argument('[target]', 'the target name (its name:, else its type, e.g. slack)')
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (name: string | undefined, flags: { project?: string; json?: boolean }) => {
      const project = resolveProject(flags.project);
      const targets = project.notifications ?? [];
      if (targets.length === 0) throw new CliFailure('no notification targets: add notifications: to sluice.yaml (see docs/health.md)', 1);
      const chosen = name === undefined ? targets : targets.filter((t) => t.name === name);
      if (chosen.length === 0) throw new CliFailure(`no notification target named ${name}; the targets are ${targets.map((t) => t.name).join(', ')}`, 2);
      const outcome = await notify(project, { events: [sampleEvent(project)], test: chosen });
      if (flags.json) printJson({ sent: [...new Set(outcome.sent)], failed: outcome.failed });
      else process.stdout.write(`${outcome.line ?? 'Notifications: nothing sent.'}\n`);
      if (outcome.failed.length > 0) throw new CliFailure(`${outcome.failed.length} notification${outcome.failed.length === 1 ? '' : 's'} could not be delivered`, 1);
    });
  command
    .command('flush')
    .description('send the digests of events queued outside working hours, for targets now within them')
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .action(async (flags: { project?: string }) => {
      const project = resolveProject(flags.project);
      const outcome = await notify(project, {});
      process.stdout.write(`${outcome.line ?? 'Notifications: no digest is due.'}\n`);
      if (outcome.failed.length > 0) throw new CliFailure(`${outcome.failed.length} digest${outcome.failed.length === 1 ? '' : 's'} could not be delivered`, 1);
    });
}

function sampleEvent(project: Project): NotificationEvent {
  return {
    event: 'ingest_failed',
    at: now().toISOString(),
    project: project.name,
    summary: 'a sample notification from sluice notify test: nothing is broken.',
    subjects: [{ kind: 'source', name: 'example' }],
    key: eventKey(project, 'notify-test'),
    failure: true,
    error: 'sample error (sluice notify test)',
    command: 'sluice notify test',
    details: { sample: true },
  };
}

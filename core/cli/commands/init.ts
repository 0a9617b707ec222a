// `sluice init [DIR] [--template demo|rest|empty]`: a new, working project (sluice.yaml, a source, a staging
// model, an audit, a unit test, .gitignore), then the next three commands to run. Never overwrites a file.

import path from 'node:path';
import type { Command } from 'commander';
import { createProject } from '../../init/create';
import { TEMPLATES, type TemplateName } from '../../init/templates';
import { CliFailure, printJson } from '../output';

interface InitFlags {
  template?: string;
  json?: boolean;
}

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create a new project: sluice.yaml, a source, a staging model, an audit, a unit test')
    .argument('[dir]', 'folder to create it in (default: the current folder)', '.')
    .option('--template <name>', `${TEMPLATES.join(', ')} (default demo: data generated offline)`, 'demo')
    .option('--json', 'print one JSON object: the folder, the files written and the next commands')
    .action((dir: string, flags: InitFlags) => {
      const name = String(flags.template);
      if (!(TEMPLATES as readonly string[]).includes(name)) throw new CliFailure(`unknown template '${name}' (known: ${TEMPLATES.join(', ')})`, 2);
      const created = createProject(dir, name as TemplateName);
      if (flags.json) {
        printJson(created);
        return;
      }
      const relative = path.relative(process.cwd(), created.dir);
      const where = relative === '' ? '.' : relative.startsWith('..') ? created.dir : relative;
      const lines = [`Created a Sluice project in ${where}:`, ...created.files.map((f) => `  ${f}`), '', 'Next:'];
      if (where !== '.') lines.push(`  cd ${where.includes(' ') ? JSON.stringify(where) : where}`);
      lines.push(...created.next.map((c) => `  ${c}`));
      process.stdout.write(lines.join('\n') + '\n');
    });
}

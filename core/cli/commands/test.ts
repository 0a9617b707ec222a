// `sluice test [FILTER]`: runs the project's unit tests (tests/test_*.yaml, SQLMesh's format) on in-memory
// DuckDB and exits non-zero when any fails, with a row diff of what differed.

import * as path from 'node:path';
import type { Command } from 'commander';
import { runUnitTests, type RunUnitTestsOptions } from '../../quality/unitTest';
import { modelOptionsOf } from '../../dag/project';
import { pathsOption, resolveProject } from '../context';
import { CliFailure, printJson } from '../output';
import { reportDiagnostics, withModelProject } from './models';
import { eventKey, testEvents, type FailedTest, type ModelInfo } from '../../notify/events';
import type { Project } from '../../project/config';
import { announce, modelInfo } from '../notifications';

/** The settings unit tests run with: the project's, and with --paths every folder's (macros of all of them). */
export async function unitTestOptions(project: Project): Promise<RunUnitTestsOptions> {
  const settings = (p: Project) => ({ variables: p.models.variables, defaults: p.models.defaults, inferNames: p.models.inferNames });
  if (!project.repos?.length) return settings(project);
  return { ...settings(project), macros: (await modelOptionsOf(project)).macros, repos: project.repos.map((repo) => ({ dir: repo.dir, ...settings(repo) })) };
}

export function registerTest(program: Command): void {
  program
    .command('test')
    .description('run the unit tests in tests/ on in-memory DuckDB')
    .argument('[filter]', 'a test name, FILE::NAME, or a pattern with *')
    .option('--project <dir>', 'project directory (default: nearest sluice.yaml)')
    .addOption(pathsOption())
    .option('--json', 'print exactly one JSON object on stdout')
    .action(async (filter: string | undefined, flags: { project?: string; paths?: string[]; json?: boolean }) => {
      const project = resolveProject(flags.project, flags.paths);
      const summary = await runUnitTests(project.dir, filter, await unitTestOptions(project));
      const relative = (file: string) => path.relative(project.dir, file).split(path.sep).join('/');
      const problems = reportDiagnostics(summary.diagnostics);
      if (flags.json) {
        printJson({
          passed: summary.passed,
          failed: summary.failed,
          errors: summary.errors,
          duration_ms: Math.round(summary.durationMs),
          tests: summary.results.map((r) => ({
            name: r.name, file: relative(r.file), line: r.start.line, model: r.model, status: r.status,
            ...(r.message ? { message: r.message } : {}), mismatches: r.mismatches, duration_ms: Math.round(r.durationMs),
          })),
        });
      } else {
        for (const r of summary.results) {
          const where = `${relative(r.file)}:${r.start.line}`;
          if (r.status === 'passed') {
            process.stdout.write(`PASS ${r.name} (${where})\n`);
            continue;
          }
          process.stdout.write(`${r.status === 'failed' ? 'FAIL' : 'ERROR'} ${r.name} (${where})${r.message ? `: ${r.message}` : ''}\n`);
          for (const m of r.mismatches) process.stdout.write(m.diff.split('\n').map((l) => `  ${l}`).join('\n') + '\n');
        }
        const total = summary.results.length;
        process.stdout.write(`\n${summary.passed} passed, ${summary.failed} failed, ${summary.errors} errors (${total} test${total === 1 ? '' : 's'}, ${(summary.durationMs / 1000).toFixed(2)}s)\n`);
      }
      await announceTests(project, summary.results.map((r) => ({ name: r.name, model: r.model, file: relative(r.file), passed: r.status === 'passed', ...(r.message ? { message: r.message } : {}) })));
      if (filter !== undefined && summary.results.length === 0) throw new CliFailure(`no test matches ${filter}`, 1);
      if (summary.failed + summary.errors > 0) throw new CliFailure(`${summary.failed + summary.errors} of ${summary.results.length} tests did not pass`, 1);
      if (problems > 0) throw new CliFailure(`${problems} problem${problems === 1 ? '' : 's'} in the test files`, 1);
    });
}

/** test_failed per model with failing tests; a model whose tests all passed resolves its open incident. */
async function announceTests(project: Project, results: (FailedTest & { passed: boolean })[]): Promise<void> {
  if (!project.notifications?.length) return;
  const failed = results.filter((r) => !r.passed);
  const passed = [...new Set(results.filter((r) => r.passed).map((r) => r.model))].filter((m) => !failed.some((f) => f.model === m));
  // Owners and tags come from the MODEL blocks: read only when there is a failure to route.
  let info: ModelInfo = () => undefined;
  if (failed.length > 0) {
    try {
      const known = await withModelProject(project.dir, undefined, (models) => new Map(failed.map((f) => [f.model, modelInfo(models)(f.model)])));
      info = (model) => known.get(model);
    } catch {
      // Unreadable models: the failures are still reported, without their owners.
    }
  }
  await announce(project, { events: testEvents(project, failed, info), resolve: { keys: passed.map((m) => eventKey(project, 'test', m)) } });
}

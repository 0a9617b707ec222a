// Model unit tests and audits in VS Code's Testing view. Tests are listed from tests/test_*.yaml and the
// models' audits (the server reads the files), grouped by project, file and model; running asks the server,
// which runs unit tests on in-memory DuckDB and audits against the warehouse, and each result shows as
// passed or failed with the row diff.

import * as path from 'node:path';
import * as vscode from 'vscode';
import { ListTests, RunTests, SluiceErrorCodes, type FileLocation, type TestOutcome } from '../core/protocol';
import type { SluiceClient } from './client';
import type { Output } from './output';
import { explainUntrusted } from './trust';

interface ItemData {
  projectDir: string;
  /** Test or audit id for leaves; undefined for groups. */
  id?: string;
}

export class SluiceTests implements vscode.Disposable {
  private readonly controller = vscode.tests.createTestController('sluice', 'Sluice');
  private readonly data = new WeakMap<vscode.TestItem, ItemData>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly client: SluiceClient,
    private readonly output: Output,
  ) {
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.discover();
    };
    this.controller.refreshHandler = () => this.discover();
    this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (request, token) => this.run(request, token), true);
    const watcher = vscode.workspace.createFileSystemWatcher('**/tests/**/*.{yaml,yml}');
    const rediscover = () => void this.discover();
    this.subscriptions.push(watcher, watcher.onDidChange(rediscover), watcher.onDidCreate(rediscover), watcher.onDidDelete(rediscover));
  }

  /** Lists every project's tests and audits again. */
  async discover(): Promise<void> {
    let result: ListTests.Result;
    try {
      result = await this.client.request(ListTests.type, {});
    } catch (err) {
      this.output.error(`listing tests: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    const roots: vscode.TestItem[] = [];
    // With one project its groups are shown at the top level.
    const single = result.projects.length === 1;
    for (const { project, tests, audits, problems } of result.projects) {
      const projectItem = this.item(`project:${project.dir}`, project.name, { projectDir: project.dir }, vscode.Uri.file(project.dir));
      const byFile = new Map<string, vscode.TestItem>();
      for (const test of tests) {
        let fileItem = byFile.get(test.location.file);
        if (!fileItem) {
          fileItem = this.item(`file:${test.location.file}`, path.relative(project.dir, test.location.file), { projectDir: project.dir }, vscode.Uri.file(test.location.file));
          byFile.set(test.location.file, fileItem);
        }
        const item = this.item(test.id, test.name, { projectDir: project.dir, id: test.id }, vscode.Uri.file(test.location.file), test.location);
        item.description = test.model;
        fileItem.children.add(item);
      }
      const byModel = new Map<string, vscode.TestItem>();
      for (const audit of audits) {
        let modelItem = byModel.get(audit.model);
        if (!modelItem) {
          modelItem = this.item(`audits:${project.dir}:${audit.model}`, `audits of ${audit.model}`, { projectDir: project.dir }, vscode.Uri.file(audit.location.file), audit.location);
          byModel.set(audit.model, modelItem);
        }
        const item = this.item(audit.id, audit.label, { projectDir: project.dir, id: audit.id }, vscode.Uri.file(audit.location.file), audit.location);
        item.description = audit.blocking ? 'audit' : 'audit, non-blocking';
        modelItem.children.add(item);
      }
      const groups = [...byFile.values(), ...byModel.values()];
      if (problems.length > 0) {
        const text = problems.map((p) => `${path.relative(project.dir, p.location.file)}:${p.location.line + 1}: ${p.message}`).join('\n\n');
        this.output.error(`problems in the tests of ${project.name}:\n${text}`);
        projectItem.error = new vscode.MarkdownString(text);
      }
      if (single) roots.push(...groups);
      else {
        projectItem.children.replace(groups);
        roots.push(projectItem);
      }
    }
    this.controller.items.replace(roots);
  }

  private item(id: string, label: string, data: ItemData, uri: vscode.Uri, location?: FileLocation): vscode.TestItem {
    const item = this.controller.createTestItem(id, label, uri);
    if (location) item.range = new vscode.Range(location.line, location.character, location.line, location.character);
    this.data.set(item, data);
    return item;
  }

  private async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    const run = this.controller.createTestRun(request);
    // Leaves to run, by project: the requested items (all when none) minus the excluded ones.
    const excluded = new Set(request.exclude ?? []);
    const leaves = new Map<string, vscode.TestItem[]>();
    const collect = (item: vscode.TestItem) => {
      if (excluded.has(item)) return;
      const data = this.data.get(item);
      if (data?.id) leaves.set(data.projectDir, [...(leaves.get(data.projectDir) ?? []), item]);
      item.children.forEach(collect);
    };
    if (request.include) request.include.forEach(collect);
    else this.controller.items.forEach(collect);
    try {
      for (const [projectDir, items] of leaves) {
        if (token.isCancellationRequested) break;
        for (const item of items) run.started(item);
        const byId = new Map(items.map((i) => [this.data.get(i)!.id!, i]));
        try {
          const result = await this.client.request(RunTests.type, { projectDir, ids: [...byId.keys()] }, token);
          for (const outcome of result.outcomes) {
            const item = byId.get(outcome.id);
            if (item) report(run, item, outcome);
          }
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          for (const item of items) run.errored(item, new vscode.TestMessage(message));
          if ((err as { code?: unknown })?.code === SluiceErrorCodes.Untrusted) void explainUntrusted(message);
          else this.output.error(`running tests: ${message}`);
        }
      }
    } finally {
      run.end();
    }
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.controller.dispose();
  }
}

function report(run: vscode.TestRun, item: vscode.TestItem, outcome: TestOutcome): void {
  if (outcome.status === 'passed') {
    run.passed(item, outcome.durationMs);
    return;
  }
  const text = new vscode.MarkdownString();
  text.appendText(outcome.message ?? (outcome.status === 'failed' ? 'the output did not match' : 'the test could not run'));
  for (const m of outcome.mismatches) {
    text.appendMarkdown(`\n\n**${m.output}**\n`);
    text.appendCodeblock(m.diff, 'diff');
  }
  const message = new vscode.TestMessage(text);
  if (item.uri && item.range) message.location = new vscode.Location(item.uri, item.range);
  if (outcome.status === 'failed') run.failed(item, message, outcome.durationMs);
  else run.errored(item, message, outcome.durationMs);
}

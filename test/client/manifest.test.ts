// The extension manifest against the code: every command a walkthrough button or a menu runs exists, every
// walkthrough picture is in the package, and every command the extension registers for users is declared.

import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../server/lspClient';

interface Manifest {
  contributes: {
    commands: { command: string }[];
    menus: Record<string, { command: string }[]>;
    walkthroughs: { id: string; steps: { id: string; description: string; media: { markdown?: string; image?: string } }[] }[];
  };
}

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;
const declared = new Set(manifest.contributes.commands.map((c) => c.command));
/** Commands the client registers: registerCommand('sluice.…') or registerCommand(NAME) of a `const NAME = 'sluice.…'`. */
function registeredCommands(): Set<string> {
  const texts = fs
    .readdirSync(path.join(repoRoot, 'client'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => fs.readFileSync(path.join(repoRoot, 'client', f), 'utf8'));
  const constants = new Map<string, string>();
  for (const text of texts) for (const m of text.matchAll(/const (\w+) = '(sluice\.[\w.]+)'/g)) constants.set(m[1], m[2]);
  const out = new Set<string>();
  for (const text of texts) {
    for (const m of text.matchAll(/registerCommand\(\s*(?:'(sluice\.[\w.]+)'|(\w+))/g)) {
      const command = m[1] ?? constants.get(m[2]);
      if (command) out.add(command);
    }
  }
  return out;
}

describe('extension manifest', () => {
  it('has a Getting Started walkthrough whose buttons run declared commands and whose pages ship', () => {
    const walkthrough = manifest.contributes.walkthroughs.find((w) => w.id === 'gettingStarted');
    assert.ok(walkthrough, 'no gettingStarted walkthrough');
    assert.deepEqual(walkthrough.steps.map((s) => s.id).slice(0, 4), ['project', 'source', 'lineage', 'plan']);
    const registered = registeredCommands();
    for (const step of walkthrough.steps) {
      const buttons = [...step.description.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]);
      assert.ok(buttons.length > 0, `step ${step.id} has no button`);
      for (const command of buttons) {
        if (command.startsWith('workbench.')) continue;
        assert.ok(declared.has(command), `step ${step.id} runs ${command}, which package.json does not declare`);
        assert.ok(registered.has(command), `step ${step.id} runs ${command}, which the extension never registers`);
      }
      const media = step.media.markdown ?? step.media.image;
      assert.ok(media && fs.existsSync(path.join(repoRoot, media)), `step ${step.id}: ${media} is missing`);
      assert.ok(media.startsWith('media/'), 'walkthrough pages live under media/, which the package carries');
    }
  });

  it('declares every command that menus name, and registers every declared command', () => {
    const registered = registeredCommands();
    for (const [menu, entries] of Object.entries(manifest.contributes.menus)) {
      for (const entry of entries) assert.ok(declared.has(entry.command) || entry.command.startsWith('workbench.'), `menu ${menu} names ${entry.command}, which is not declared`);
    }
    for (const command of declared) assert.ok(registered.has(command), `${command} is declared but never registered`);
  });
});

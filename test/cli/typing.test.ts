// `import { defineSource } from 'sluice'` gives real type checking: the demo sources pass, a mistake fails.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { makeProject, repoRoot } from '../helpers/project';

const tsc = path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');

function typeCheck(tsconfigDir: string): { code: number; output: string } {
  const result = spawnSync(process.execPath, [tsc, '-p', tsconfigDir], { encoding: 'utf8' });
  return { code: result.status ?? -1, output: result.stdout + result.stderr };
}

describe('source typing through the public API', function () {
  this.timeout(60_000);

  it('type-checks the demo sources', () => {
    const result = typeCheck(path.join(repoRoot, 'examples', 'demo'));
    assert.equal(result.code, 0, result.output);
  });

  it('rejects a misspelt write disposition at compile time', () => {
    const project = makeProject({
      'sources/bad.ts': `import { defineSource } from 'sluice';
export default defineSource({ name: 'bad', resources: [{ name: 'r', writeDisposition: 'mergee', rows: () => [] }] });
`,
    });
    try {
      const config = JSON.parse(
        fs.readFileSync(path.join(repoRoot, 'examples', 'demo', 'tsconfig.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''),
      );
      config.compilerOptions.typeRoots = [path.join(repoRoot, 'node_modules', '@types')];
      config.compilerOptions.paths = { sluice: [path.join(repoRoot, 'core', 'index.ts')] };
      fs.writeFileSync(path.join(project.dir, 'tsconfig.json'), JSON.stringify(config));
      const result = typeCheck(project.dir);
      assert.notEqual(result.code, 0);
      assert.match(result.output, /bad\.ts\(2,\d+\).*mergee/s);
    } finally {
      project.cleanup();
    }
  });
});

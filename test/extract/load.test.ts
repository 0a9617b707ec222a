import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SluiceError } from '../../core/errors';
import { discoverSources, loadSource, loadSourceByName } from '../../core/ingest/extract';
import { TempProject, rejects, run, tempProject } from './helpers';

describe('extract: loading source modules', () => {
  let project: TempProject;
  beforeEach(async () => {
    project = await tempProject();
  });
  afterEach(async () => {
    await project.remove();
  });

  it('loads a typed .ts source that imports defineSource from sluice', async () => {
    const file = await project.write(
      'sources/typed.ts',
      `import { defineSource, type ResourceContext } from 'sluice';
interface User { id: number; login: string }
const users: User[] = [{ id: 1, login: 'ada' }, { id: 2, login: 'linus' }];
export default defineSource({
  name: 'typed',
  resources: [{ name: 'users', primaryKey: 'id', rows: (_ctx: ResourceContext) => users }],
});
`,
    );
    const source = await loadSource(file);
    assert.equal(source.name, 'typed');
    const { items } = await run(source, { resources: ['users'] });
    assert.deepEqual(items.users, [{ id: 1, login: 'ada' }, { id: 2, login: 'linus' }]);
  });

  it('loads an ESM .js source with export default and no import', async () => {
    const file = await project.write(
      'sources/plain.js',
      `export default { name: 'plain', resources: [{ name: 'r', async *rows() { yield { a: 1 }; } }] };\n`,
    );
    const { items } = await run(await loadSource(file), { resources: ['r'] });
    assert.deepEqual(items.r, [{ a: 1 }]);
  });

  it('loads an .mjs source', async () => {
    const file = await project.write(
      'sources/m.mjs',
      `import { defineSource } from 'sluice';\nexport default defineSource({ name: 'm', resources: [{ name: 'r', rows: () => [{ x: 'mjs' }] }] });\n`,
    );
    const { items } = await run(await loadSource(file), { resources: ['r'] });
    assert.deepEqual(items.r, [{ x: 'mjs' }]);
  });

  it('loads a .cjs source that assigns module.exports and requires sluice', async () => {
    const file = await project.write(
      'sources/c.cjs',
      `const { defineSource } = require('sluice');\nmodule.exports = defineSource({ name: 'c', resources: [{ name: 'r', rows: () => [{ x: __filename.endsWith('c.cjs') }] }] });\n`,
    );
    const { items } = await run(await loadSource(file), { resources: ['r'] });
    assert.deepEqual(items.r, [{ x: true }]);
  });

  it('bundles local .ts helpers imported by relative path', async () => {
    await project.write('lib/pages.ts', `export function page(n: number): { n: number }[] { return [{ n }, { n: n + 1 }]; }\n`);
    await project.write('sources/helpers/shape.ts', `export const double = (x: number): number => x * 2;\n`);
    const file = await project.write(
      'sources/local.ts',
      `import { page } from '../lib/pages';
import { double } from './helpers/shape';
export default { name: 'local', resources: [{ name: 'r', *rows() { for (const p of page(double(5))) yield p; } }] };
`,
    );
    const { items } = await run(await loadSource(file), { resources: ['r'] });
    assert.deepEqual(items.r, [{ n: 10 }, { n: 11 }]);
  });

  it('gives ESM sources their own import.meta.url', async () => {
    const file = await project.write(
      'sources/meta.ts',
      `export default { name: 'meta', resources: [{ name: 'r', rows: () => [{ url: import.meta.url }] }] };\n`,
    );
    const { items } = await run(await loadSource(file), { resources: ['r'] });
    assert.equal(items.r[0].url, pathToFileURL(file).href);
  });

  it("resolves npm packages from the project's own node_modules", async () => {
    await project.write('node_modules/fake-pkg/package.json', JSON.stringify({ name: 'fake-pkg', main: 'index.js' }));
    await project.write('node_modules/fake-pkg/index.js', `exports.greet = (who) => 'hello ' + who;\n`);
    const file = await project.write(
      'sources/pkg.ts',
      `import { greet } from 'fake-pkg';\nexport default { name: 'pkg', resources: [{ name: 'r', rows: () => [{ text: greet('duck') }] }] };\n`,
    );
    const { items } = await run(await loadSource(file), { resources: ['r'] });
    assert.deepEqual(items.r, [{ text: 'hello duck' }]);
  });

  it('names a missing npm package', async () => {
    const file = await project.write(
      'sources/nopkg.ts',
      `import { x } from 'not-installed-pkg';\nexport default { name: 'n', resources: [{ name: 'r', rows: () => [x] }] };\n`,
    );
    await rejects(loadSource(file), /sources\/nopkg\.ts: cannot find package "not-installed-pkg"/);
  });

  it('reports a syntax error with file:line:column', async () => {
    const file = await project.write(
      'sources/bad.ts',
      `export default {\n  name: 'bad',\n  resources: [ { name: 'r' rows: () => [] } ],\n};\n`,
    );
    const err = await rejects(loadSource(file), /^sources\/bad\.ts:3:28: Expected "}" but found "rows"$/);
    assert.ok(err instanceof SluiceError);
  });

  it('reports a throw at module top level with the line it came from', async () => {
    const file = await project.write(
      'sources/top.ts',
      `const config: Record<string, string> = {};\n\nif (!config.url) throw new Error('url is not configured');\nexport default { name: 'top', resources: [] };\n`,
    );
    await rejects(loadSource(file), /^sources\/top\.ts:3:\d+: error while loading the source: url is not configured$/);
  });

  it('points a failing resource at the line in the user file', async () => {
    const file = await project.write(
      'sources/fails.ts',
      `export default {
  name: 'fails',
  resources: [{
    name: 'r',
    *rows() {
      yield { a: 1 };
      throw new Error('page 2 returned 500');
    },
  }],
};
`,
    );
    const source = await loadSource(file);
    const err = await rejects(
      run(source, { resources: ['r'] }),
      /^resource "r" failed after 1 item: page 2 returned 500 \(at sources\/fails\.ts:7:\d+\)$/,
    );
    // The original error is kept, its stack rewritten to the user's file.
    const cause = (err as Error & { cause?: Error }).cause;
    assert.match(String(cause?.stack), /sources[\\/]fails\.ts:7:/);
  });

  describe('validation', () => {
    const cases: [string, string, RegExp][] = [
      ['no default export', `export const source = { name: 'x', resources: [] };`, /no default export/],
      ['exports nothing', `const x = 1;`, /exports nothing/],
      ['default export is not an object', `export default 'github';`, /must be a source object .* got string/],
      ['missing name', `export default { resources: [{ name: 'r', rows: () => [] }] };`, /needs a name .* got undefined/],
      ['resources not an array', `export default { name: 's', resources: { r: 1 } };`, /resources must be an array, got object/],
      ['empty resources', `export default { name: 's', resources: [] };`, /resources is empty/],
      ['resource without a name', `export default { name: 's', resources: [{ rows: () => [] }] };`, /resources\[0\] needs a name/],
      ['resource without rows or transformer', `export default { name: 's', resources: [{ name: 'r' }] };`, /resource "r": needs rows\(ctx\) or transformer/],
      ['rows not a function', `export default { name: 's', resources: [{ name: 'r', rows: [] }] };`, /resource "r": rows must be a function, got array/],
      ['both rows and transformer', `export default { name: 's', resources: [{ name: 'r', rows: () => [], transformer: { from: 'r', transform: () => undefined } }] };`, /has both rows and transformer/],
      ['duplicate resource names', `export default { name: 's', resources: [{ name: 'r', rows: () => [] }, { name: 'r', rows: () => [] }] };`, /resource "r" is defined twice/],
      ['transformer from an unknown resource', `export default { name: 's', resources: [{ name: 'a', rows: () => [] }, { name: 't', transformer: { from: 'nope', transform: () => undefined } }] };`, /resource "t": transformer\.from "nope" names no resource \(resources: a, t\)/],
      ['transformer cycle', `export default { name: 's', resources: [{ name: 'a', transformer: { from: 'b', transform: () => undefined } }, { name: 'b', transformer: { from: 'a', transform: () => undefined } }] };`, /transformers form a cycle: a -> b -> a/],
      ['invalid writeDisposition', `export default { name: 's', resources: [{ name: 'r', rows: () => [], writeDisposition: 'upsert' }] };`, /resource "r": writeDisposition must be one of append, replace, merge, got "upsert"/],
      ['invalid merge strategy', `export default { name: 's', resources: [{ name: 'r', rows: () => [], writeDisposition: { disposition: 'merge', strategy: 'scd3' } }] };`, /writeDisposition\.strategy must be one of delete-insert, upsert, scd2, got "scd3"/],
      ['strategy without merge', `export default { name: 's', resources: [{ name: 'r', rows: () => [], writeDisposition: { disposition: 'append', strategy: 'upsert' } }] };`, /strategy only applies to disposition "merge"/],
      ['incremental without cursor', `export default { name: 's', resources: [{ name: 'r', rows: () => [], incremental: { initialValue: 0 } }] };`, /resource "r": incremental needs a cursor/],
      ['invalid lastValue', `export default { name: 's', resources: [{ name: 'r', rows: () => [], incremental: { cursor: 'id', lastValue: 'latest' } }] };`, /incremental\.lastValue must be "max", "min" or a function, got "latest"/],
      ['unknown resource property', `export default { name: 's', resources: [{ name: 'r', rows: () => [], primary_key: 'id' }] };`, /unknown property "primary_key" in resource \(did you mean "primaryKey"\?\)/],
      ['invalid primaryKey', `export default { name: 's', resources: [{ name: 'r', rows: () => [], primaryKey: [] }] };`, /primaryKey must be a field name or a non-empty list/],
      ['invalid column hint', `export default { name: 's', resources: [{ name: 'r', rows: () => [], columns: { id: { dataType: 'int' } } }] };`, /columns\.id\.dataType must be one of text, bigint/],
      ['precision on a non-decimal hint', `export default { name: 's', resources: [{ name: 'r', rows: () => [], columns: { n: { dataType: 'bigint', precision: 10 } } }] };`, /columns\.n: precision and scale apply to dataType "decimal" only/],
      ['precision wider than staging carries', `export default { name: 's', resources: [{ name: 'r', rows: () => [], columns: { n: { dataType: 'decimal', precision: 38, scale: 2 } } }] };`, /columns\.n: precision and scale must be whole numbers with 0 <= scale <= 9, scale <= precision and precision - scale <= 29, got 38, 2/],
      ['invalid contract', `export default { name: 's', resources: [{ name: 'r', rows: () => [], contract: { columns: 'strict' } }] };`, /contract\.columns must be one of evolve, freeze, discard_row, discard_value, got "strict"/],
      ['invalid maxNesting', `export default { name: 's', resources: [{ name: 'r', rows: () => [], maxNesting: -1 }] };`, /maxNesting must be a whole number >= 0, got -1/],
    ];
    for (const [title, code, pattern] of cases) {
      it(`rejects: ${title}`, async () => {
        const file = await project.write('sources/v.ts', code + '\n');
        const err = await rejects(loadSource(file), pattern);
        assert.ok(err instanceof SluiceError, 'a SluiceError');
        assert.match(err.message, /^sources\/v\.ts: /, 'names the file');
      });
    }
  });

  describe('discovery', () => {
    it('lists source files by stem without running them', async () => {
      const marker = path.join(project.dir, 'ran.txt');
      const touch = `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x');`;
      await project.write('sources/zeta.ts', `${touch}\nexport default {};\n`);
      await project.write('sources/alpha.js', `${touch}\nexport default {};\n`);
      await project.write('sources/mid.mjs', 'export default {};\n');
      await project.write('sources/old.cjs', 'module.exports = {};\n');
      await project.write('sources/types.d.ts', 'export {};\n');
      await project.write('sources/alpha.test.ts', '');
      await project.write('sources/zeta.spec.js', '');
      await project.write('sources/README.md', '');
      await project.write('sources/.hidden.ts', '');
      await project.write('sources/nested/inner.ts', '');
      const found = await discoverSources(project.dir);
      assert.deepEqual(
        found.map((s) => [s.name, path.relative(project.dir, s.file)]),
        [
          ['alpha', path.join('sources', 'alpha.js')],
          ['mid', path.join('sources', 'mid.mjs')],
          ['old', path.join('sources', 'old.cjs')],
          ['zeta', path.join('sources', 'zeta.ts')],
        ],
      );
      await assert.rejects(fs.access(marker), 'no source module was executed');
    });

    it('returns nothing for a project without sources/', async () => {
      assert.deepEqual(await discoverSources(project.dir), []);
    });

    it('refuses two files with the same stem', async () => {
      await project.write('sources/dup.ts', '');
      await project.write('sources/dup.js', '');
      await rejects(discoverSources(project.dir), /two files define source "dup": sources\/dup\.(js|ts) and sources\/dup\.(js|ts)/);
    });

    it('loads a source by name and names the ones found when it is missing', async () => {
      await project.write('sources/one.ts', `export default { name: 'one', resources: [{ name: 'r', rows: () => [] }] };\n`);
      await project.write('sources/two.ts', `export default { name: 'two', resources: [{ name: 'r', rows: () => [] }] };\n`);
      assert.equal((await loadSourceByName(project.dir, 'two')).name, 'two');
      await rejects(loadSourceByName(project.dir, 'three'), /no source "three" in sources\/ \(found: one, two\)/);
    });
  });
});

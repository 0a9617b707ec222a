// `sluice format` on a copy of the demo project with three models written by hand: --check for CI, rewriting
// files, paths, --json, and files that do not read.

import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { formatModelText } from '../../core/format/modelFormat';
import { runCli, runCliJson } from '../helpers/project';
import { copyDemo, HANDWRITTEN_MODELS, writeHandwrittenModels, type DemoCopy } from '../server/demo';

/** The models the formatter changes: their first SELECT lists columns on one line, or they write false. */
const UNFORMATTED = HANDWRITTEN_MODELS;

describe('sluice format (end to end)', function () {
  this.timeout(120_000);
  let demo: DemoCopy;

  beforeEach(() => {
    demo = copyDemo();
    writeHandwrittenModels(demo);
  });
  afterEach(() => demo.cleanup());

  /** Every model file of the copy with its text. */
  function snapshot(): Map<string, string> {
    const out = new Map<string, string>();
    for (const file of fs.readdirSync(demo.file('models'), { recursive: true }).map(String).filter((f) => f.endsWith('.sql'))) {
      const relative = `models/${file.split(path.sep).join('/')}`;
      out.set(relative, demo.text(relative));
    }
    return out;
  }

  it('--check lists the files that would change, exits 1, and writes nothing', () => {
    const before = snapshot();
    const run = runCli(['format', '--check'], demo.dir);
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(run.stdout.split('\n').filter((l) => l.startsWith('would format')), UNFORMATTED.map((f) => `would format ${f}`));
    assert.match(run.stdout, /^12 model files: 3 would be formatted, 9 already formatted$/m);
    assert.equal(run.stderr, 'sluice: 3 model files are not formatted; run sluice format\n');
    assert.deepEqual(snapshot(), before);

    const json = runCliJson(['format', '--check'], demo.dir);
    assert.equal(json.code, 1);
    assert.equal(json.json.check, true);
    assert.equal(json.json.changed, 3);
    assert.equal(json.json.unchanged, 9);
    assert.equal(json.json.errors, 0);
    assert.deepEqual(json.json.files.filter((f: any) => f.status === 'would_format').map((f: any) => f.file), UNFORMATTED);
    assert.equal(json.json.files.length, 12);
  });

  it('rewrites the files that need it, as the formatter lays them out, after which --check passes', () => {
    const before = snapshot();
    const run = runCli(['format'], demo.dir);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.deepEqual(run.stdout.split('\n').filter((l) => l.startsWith('formatted')), UNFORMATTED.map((f) => `formatted ${f}`));
    for (const [file, text] of snapshot()) {
      const expected = formatModelText(before.get(file)!);
      assert.ok(expected.ok);
      assert.equal(text, expected.text, file);
      assert.equal(text !== before.get(file), UNFORMATTED.includes(file), file);
    }
    assert.match(demo.text(UNFORMATTED[0]), /^SELECT\n {2}issue_number,\n {2}'opened' AS event_type,$/m);

    const check = runCli(['format', '--check'], demo.dir);
    assert.equal(check.code, 0, check.stderr);
    assert.equal(check.stdout, '12 model files: 0 would be formatted, 12 already formatted\n');
    // The formatted project still reads the same: same models, same columns.
    const models = runCliJson(['models'], demo.dir);
    assert.equal(models.code, 0, models.stderr);
    assert.equal(models.json.models.length, 12);
  });

  it('formats only the files and folders given, from anywhere, with --json', () => {
    const before = snapshot();
    const json = runCliJson(['format', path.join(demo.dir, 'models', 'marts'), path.join(demo.dir, UNFORMATTED[0])], path.dirname(demo.dir));
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(json.json.files.map((f: any) => [f.file, f.status]), [
      ['models/intermediate/issue_events.sql', 'formatted'],
      ['models/marts/customer_summary.sql', 'unchanged'],
      ['models/marts/daily_revenue.sql', 'unchanged'],
      ['models/marts/issue_activity.sql', 'formatted'],
    ]);
    const after = snapshot();
    assert.equal(after.get(UNFORMATTED[1]), before.get(UNFORMATTED[1]), 'a file not given is left alone');
    assert.notEqual(after.get(UNFORMATTED[2]), before.get(UNFORMATTED[2]));

    const notModel = runCli(['format', 'sluice.yaml'], demo.dir);
    assert.equal(notModel.code, 2);
    assert.match(notModel.stderr, /sluice\.yaml is not a model file of the project/);
  });

  it('reports a file that does not read as file:line:col, leaves it alone and formats the others', () => {
    const broken = "MODEL (name staging.broken, kind VIEW);\n\nselect a,\n  b from t where c = 'open\n";
    fs.writeFileSync(demo.file('models/staging/broken.sql'), broken);
    const run = runCli(['format'], demo.dir);
    assert.equal(run.code, 1);
    assert.equal(run.stderr, `${path.join('models', 'staging', 'broken.sql')}:4:22: unterminated string literal\nsluice: 1 model file could not be formatted\n`);
    assert.match(run.stdout, /^13 model files: 3 formatted, 9 already formatted, 1 could not be read$/m);
    assert.equal(demo.text('models/staging/broken.sql'), broken);
    // The hand-written model was formatted: it now reads as the demo's own (formatted) copy.
    assert.equal(demo.text(UNFORMATTED[0]), fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'demo', UNFORMATTED[0]), 'utf8'));

    const json = runCliJson(['format', '--check'], demo.dir);
    assert.equal(json.code, 1);
    assert.deepEqual(json.json.files.find((f: any) => f.status === 'error'), {
      file: 'models/staging/broken.sql', status: 'error', line: 4, column: 22, message: 'unterminated string literal',
    });
  });
});

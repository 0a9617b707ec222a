// How renames rewrite queries, without a server: a column of an upstream model renamed through CTEs,
// subqueries, column alias lists, set operations, qualified and quoted references, EXCLUDE lists and
// lateral aliases; and a model renamed in references written with one, two or three parts.

import { strict as assert } from 'node:assert';
import { ModelProject } from '../../core/dag/project';
import { renameColumn } from '../../server/language/renameColumn';
import { renameModel } from '../../server/language/renameModel';
import { RenameRefused } from '../../server/language/renameEdits';

const SOURCE = 'MODEL (name staging.src, kind VIEW);\nSELECT 1 AS id, 2.5 AS amount, 3 AS qty\n';

/** Each reader's query, and what it becomes when staging.src.amount is renamed total. */
const READERS: Record<string, [string, string]> = {
  cte: [
    'WITH x AS (SELECT amount FROM staging.src) SELECT amount, x.amount AS a2 FROM x ORDER BY amount',
    'WITH x AS (SELECT total FROM staging.src) SELECT total, x.total AS a2 FROM x ORDER BY total',
  ],
  cte_alias: ['WITH x AS (SELECT amount AS amt FROM staging.src) SELECT amt FROM x', 'WITH x AS (SELECT total AS amt FROM staging.src) SELECT amt FROM x'],
  alias_list: ['SELECT a FROM (SELECT amount, id FROM staging.src) AS s(a)', 'SELECT a FROM (SELECT total, id FROM staging.src) AS s(a)'],
  set_operation: ['SELECT amount FROM staging.src UNION ALL SELECT 1', 'SELECT total FROM staging.src UNION ALL SELECT 1'],
  qualified: ['SELECT staging.src.amount, src.amount AS b FROM staging.src', 'SELECT staging.src.total, src.total AS b FROM staging.src'],
  quoted: ['SELECT "amount" AS q FROM staging.src', 'SELECT total AS q FROM staging.src'],
  exclude: ['SELECT * EXCLUDE (amount), amount AS kept FROM staging.src', 'SELECT * EXCLUDE (total), total AS kept FROM staging.src'],
  lateral: ['SELECT amount * 2 AS revenue, revenue + 1 AS r2 FROM staging.src', 'SELECT total * 2 AS revenue, revenue + 1 AS r2 FROM staging.src'],
  subquery: [
    'SELECT id, (SELECT max(amount) FROM staging.src) AS m FROM staging.src WHERE amount > 0',
    'SELECT id, (SELECT max(total) FROM staging.src) AS m FROM staging.src WHERE total > 0',
  ],
  other_column: ['SELECT qty FROM staging.src', 'SELECT qty FROM staging.src'],
};

async function project(readers: Record<string, string>): Promise<ModelProject> {
  const files = [
    { file: 'models/src.sql', text: SOURCE },
    ...Object.entries(readers).map(([name, query]) => ({ file: `models/${name}.sql`, text: `MODEL (name t.${name}, kind VIEW);\n${query}\n` })),
  ];
  const models = await ModelProject.fromTexts('/tmp/sluice-rename-queries', files);
  assert.deepEqual(models.diagnostics().filter((d) => d.severity === 'error'), []);
  return models;
}

/** The query line (the second) of every model file after the edits. */
function queries(models: ModelProject, apply: (file: string, text: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of models.modelFiles()) {
    const name = file.split('/').pop()!.replace(/\.sql$/, '');
    out[name] = apply(file, models.preparedFile(file)!.text).split('\n')[1];
  }
  return out;
}

describe('rename: rewriting queries', function () {
  this.timeout(20_000);

  it('renames a column through every way a query reads it, and reports the outputs it renames', async () => {
    const models = await project(Object.fromEntries(Object.entries(READERS).map(([k, [query]]) => [k, query])));
    const { edits, renamed } = renameColumn(models, 'staging.src', 'amount', 'total');
    const expected = Object.fromEntries(Object.entries(READERS).map(([k, [, after]]) => [k, after]));
    assert.deepEqual(queries(models, (file, text) => edits.apply(file, text)), { ...expected, src: 'SELECT 1 AS id, 2.5 AS total, 3 AS qty' });
    // The readers passing the column on under its own name have it renamed too.
    assert.deepEqual([...renamed.keys()].sort(), ['staging.src', 't.cte', 't.qualified', 't.set_operation']);
  });

  it('renames a model in its MODEL block, in references of one, two and three parts and in qualified columns', async () => {
    const models = await ModelProject.fromTexts('/tmp/sluice-rename-queries', [
      { file: 'models/src.sql', text: SOURCE.replace('staging.src', 'main.src') },
      { file: 'models/one.sql', text: 'MODEL (name t.one, kind VIEW);\nSELECT src.amount FROM src\n' },
      { file: 'models/two.sql', text: 'MODEL (name t.two, kind VIEW);\nSELECT main.src.amount FROM main.src\n' },
      { file: 'models/three.sql', text: 'MODEL (name t.three, kind VIEW);\nSELECT amount FROM memory.main.src\n' },
    ]);
    const edits = renameModel(models, 'main.src', 'staging.source');
    assert.deepEqual(queries(models, (file, text) => edits.apply(file, text)), {
      src: 'SELECT 1 AS id, 2.5 AS amount, 3 AS qty',
      one: 'SELECT source.amount FROM staging.source',
      two: 'SELECT staging.source.amount FROM staging.source',
      three: 'SELECT amount FROM memory.staging.source',
    });
    const file = models.modelFiles().find((f) => f.endsWith('src.sql'))!;
    assert.equal(edits.apply(file, models.preparedFile(file)!.text).split('\n')[0], 'MODEL (name staging.source, kind VIEW);');
  });

  it('refuses to rename a column a star names in a RENAME list, or to a name the model has', async () => {
    const models = await project({ renamed: 'SELECT * RENAME (amount AS a) FROM staging.src' });
    assert.throws(() => renameColumn(models, 'staging.src', 'amount', 'total'), (e: unknown) => e instanceof RenameRefused && /RENAME list: rename it there by hand/.test(e.message));
    const plain = await project({ reader: 'SELECT qty FROM staging.src' });
    assert.throws(() => renameColumn(plain, 'staging.src', 'amount', 'qty'), /staging\.src would have two columns named "qty"/);
  });
});

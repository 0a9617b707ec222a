import { strict as assert } from 'node:assert';
import { renderQuery } from '../../core/models/render';
import { errors, parse, warnings } from './helpers';

/** Asserts the model has exactly one error, at line:column, with a message matching `pattern`. */
function expectError(text: string, at: string, pattern: RegExp): void {
  const found = errors(parse(text));
  assert.equal(found.length, 1, `expected one error, got:\n${found.join('\n')}`);
  const [position, ...rest] = found[0].split(' ');
  assert.equal(position, at, found[0]);
  assert.match(rest.slice(1).join(' '), pattern);
}

describe('model header: malformed headers report exact positions', () => {
  it('missing MODEL block', () => {
    expectError('SELECT 1', '1:1', /must start with a MODEL \(\.\.\.\) block, found "SELECT"/);
    expectError('-- a comment\n\n  SELECT 1', '3:3', /must start with a MODEL/);
  });

  it('empty file', () => {
    expectError('', '1:1', /the file is empty/);
  });

  it('MODEL without a parenthesis', () => {
    expectError('MODEL name a.b;\nSELECT 1', '1:7', /expected "\(" after MODEL, found "name"/);
  });

  it('unclosed MODEL parenthesis, and the query after the first semicolon is still found', () => {
    const text = 'MODEL (\n  name a.b,\n  kind FULL;\nSELECT 1';
    expectError(text, '1:7', /the "\(" of the MODEL block is never closed/);
    assert.equal(parse(text).query, 'SELECT 1');
    assert.equal(parse(text).definition?.name, 'a.b');
  });

  it('missing name', () => {
    expectError('MODEL (kind FULL);\nSELECT 1', '1:1', /has no name/);
  });

  it('name written as a string', () => {
    expectError("MODEL (name 'a.b');\nSELECT 1", '1:13', /must be written as an identifier \(e\.g\. a\.b\), not as a string/);
  });

  it('name without a schema, and with too many parts', () => {
    expectError('MODEL (\n  name orders\n);\nSELECT 1', '2:8', /needs a schema, e\.g\. analytics\.orders/);
    expectError('MODEL (name a.b.c.d); SELECT 1', '1:13', /has 4 parts/);
  });

  it('unknown kind', () => {
    expectError('MODEL (\n  name a.b,\n  kind INCREMENTAL_BY_MAGIC\n);\nSELECT 1', '3:8', /unknown model kind 'INCREMENTAL_BY_MAGIC'; expected one of FULL, VIEW/);
  });

  it('a SQLMesh kind Sluice does not support', () => {
    expectError('MODEL (\n  name a.b,\n  kind DBT_CUSTOM\n);\nSELECT 1', '3:8', /model kind DBT_CUSTOM is not supported by Sluice yet/);
  });

  it('MANAGED cannot run: the engine would keep the table, which DuckDB and PostgreSQL cannot', () => {
    expectError('MODEL (\n  name a.b,\n  kind MANAGED\n);\nSELECT 1', '3:8', /model kind MANAGED cannot run in Sluice: it hands the table to the engine/);
  });

  it('INCREMENTAL_BY_PARTITION needs partitioned_by', () => {
    expectError('MODEL (\n  name a.b,\n  kind INCREMENTAL_BY_PARTITION\n);\nSELECT 1 AS a', '3:8', /needs the model property partitioned_by/);
  });

  it('CUSTOM kinds cannot run: their materialization is Python', () => {
    expectError("MODEL (\n  name a.b,\n  kind CUSTOM (materialization 'my_mat')\n);\nSELECT 1", '3:8', /^model kind CUSTOM cannot run in Sluice: a custom materialization is a Python class, and Sluice does not run Python/);
  });

  it('SCD type 2 kinds: required and malformed options', () => {
    expectError('MODEL (name a.b, kind SCD_TYPE_2_BY_TIME (invalidate_hard_deletes true)); SELECT 1', '1:23', /kind SCD_TYPE_2_BY_TIME needs a unique_key, e.g. SCD_TYPE_2_BY_TIME \(unique_key id\)/);
    expectError('MODEL (name a.b, kind SCD_TYPE_2_BY_COLUMN (unique_key id)); SELECT 1', '1:23', /needs a columns, e.g. SCD_TYPE_2_BY_COLUMN \(columns \[name, price\]\)/);
    expectError('MODEL (name a.b, kind SCD_TYPE_2 (unique_key id, invalidate_hard_deletes maybe)); SELECT 1', '1:74', /invalidate_hard_deletes must be true or false, found maybe/);
    expectError('MODEL (name a.b, kind SCD_TYPE_2 (unique_key id, valid_from_name v, valid_to_name v)); SELECT 1', '1:83', /valid_from_name and valid_to_name are both v/);
    expectError('MODEL (name a.b, kind SCD_TYPE_2_BY_TIME (unique_key id, columns [a])); SELECT 1', '1:58', /kind SCD_TYPE_2_BY_TIME has no option 'columns'/);
  });

  it('property without a value', () => {
    expectError("MODEL (\n  name a.b,\n  cron,\n  owner x\n);\nSELECT 1", '3:3', /property 'cron' has no value/);
    expectError('MODEL (name a.b, kind); SELECT 1', '1:18', /property 'kind' has no value/);
  });

  it('duplicate property', () => {
    expectError('MODEL (\n  name a.b,\n  owner x,\n  OWNER y\n);\nSELECT 1', '4:3', /property 'owner' is set twice \(first on line 3\)/);
  });

  it('grain and grains together', () => {
    expectError('MODEL (name a.b, grain id, grains (id)); SELECT 1', '1:28', /either 'grain' or 'grains'/);
  });

  it('time_column written as a string', () => {
    expectError("MODEL (\n  name a.b,\n  kind INCREMENTAL_BY_TIME_RANGE (time_column 'ds')\n);\nSELECT 1", '3:47', /time_column must be a column name/);
  });

  it('time_column format that is not a string', () => {
    expectError('MODEL (\n  name a.b,\n  kind INCREMENTAL_BY_TIME_RANGE (time_column (ds, 5))\n);\nSELECT 1', '3:52', /format must be a string/);
  });

  it('time_column with too many parts', () => {
    expectError("MODEL (name a.b, kind INCREMENTAL_BY_TIME_RANGE (time_column (ds, '%Y', x))); SELECT 1", '1:62', /time_column must be a column name/);
  });

  it('INCREMENTAL_BY_TIME_RANGE without a time_column', () => {
    expectError('MODEL (\n  name a.b,\n  kind INCREMENTAL_BY_TIME_RANGE\n);\nSELECT 1', '3:8', /needs a time_column/);
    expectError('MODEL (name a.b, kind INCREMENTAL_BY_UNIQUE_KEY (batch_size 2)); SELECT 1', '1:23', /needs a unique_key/);
    expectError('MODEL (name a.b, kind SEED ())', '1:23', /needs a path/);
  });

  it('option a kind does not have', () => {
    expectError('MODEL (name a.b, kind FULL (batch_size 3)); SELECT 1', '1:29', /kind FULL takes no options, found 'batch_size'/);
    expectError('MODEL (name a.b, kind VIEW (materialised true)); SELECT 1', '1:29', /kind VIEW has no option 'materialised' \(options: materialized\)/);
  });

  it('non-numeric and zero batch_size, negative lookback', () => {
    expectError("MODEL (name a.b, kind INCREMENTAL_BY_TIME_RANGE (time_column ds, batch_size 'x')); SELECT 1", '1:77', /batch_size must be a positive whole number, found 'x'/);
    expectError('MODEL (name a.b, kind INCREMENTAL_BY_TIME_RANGE (time_column ds, batch_size 0)); SELECT 1', '1:77', /batch_size must be a positive/);
    expectError('MODEL (name a.b, kind INCREMENTAL_BY_TIME_RANGE (time_column ds, lookback -1)); SELECT 1', '1:75', /lookback must be a whole number, 0 or more, found -1/);
  });

  it('bad boolean and bad change policy', () => {
    expectError('MODEL (name a.b, kind VIEW (materialized maybe)); SELECT 1', '1:42', /materialized must be true or false, found maybe/);
    expectError('MODEL (name a.b, kind INCREMENTAL_BY_UNIQUE_KEY (unique_key id, on_destructive_change explode)); SELECT 1', '1:87', /on_destructive_change must be one of allow, warn, error, ignore/);
  });

  it('missing query', () => {
    expectError('-- header\nMODEL (name a.b, kind FULL);\n-- nothing here', '2:1', /model a\.b has no query/);
  });

  it('more than one query', () => {
    expectError('MODEL (name a.b);\nSELECT 1;\n\n  SELECT 2;', '4:3', /exactly one query, but a second one starts here \(the first is on line 2\)/);
  });

  it('unterminated string in the header', () => {
    expectError("MODEL (\n  name a.b,\n  cron '@daily,\n  owner x\n);\nSELECT 1", '3:8', /unterminated string literal/);
  });

  it('unterminated block comment', () => {
    const found = errors(parse('MODEL (name a.b); SELECT 1 /* open'));
    assert.deepEqual(found, ['1:28 error unterminated /* comment']);
  });

  it('unterminated quoted identifier', () => {
    const found = errors(parse('MODEL (name a."b); SELECT 1'));
    assert.equal(found[0], '1:15 error unterminated quoted identifier');
  });

  it('missing comma between properties', () => {
    expectError('MODEL (\n  name a.b\n  kind FULL\n);\nSELECT 1', '3:3', /missing "," before 'kind'/);
  });

  it('text after the MODEL block before the semicolon', () => {
    expectError('MODEL (name a.b)\nSELECT 1', '2:1', /expected ";" after the MODEL block, found "SELECT"/);
  });

  it('something that is not a property name', () => {
    expectError("MODEL (name a.b, 'owner' x); SELECT 1", '1:18', /expected a property name, found a string/);
    expectError('MODEL (name a.b,, owner x); SELECT 1', '1:17', /expected a property name before ","/);
  });

  it('unclosed bracket inside a value', () => {
    expectError('MODEL (name a.b, tags [x, y); SELECT 1', '1:23', /"\[" is never closed/);
  });

  it('audit called with a positional argument', () => {
    expectError('MODEL (name a.b, audits (not_null(id))); SELECT 1', '1:35', /audit not_null takes named arguments like not_null\(column := id\); found id/);
  });

  it('column without a type, and a column description that is not a string', () => {
    expectError('MODEL (name a.b, columns (id INT, name)); SELECT 1', '1:35', /column 'name' has no data type/);
    expectError('MODEL (name a.b, column_descriptions (id = 5)); SELECT 1', '1:44', /description of column id must be a string/);
  });

  it('invalid cron and interval_unit', () => {
    expectError("MODEL (name a.b, cron 'every day'); SELECT 1", '1:23', /cron must be @hourly, @daily/);
    expectError("MODEL (name a.b, interval_unit 'fortnight'); SELECT 1", '1:32', /interval_unit must be one of year, month/);
  });

  it('unknown csv setting', () => {
    expectError("MODEL (name a.b, kind SEED (path 'x.csv', csv_settings (sep = ','))) ", '1:57', /unknown csv setting 'sep'/);
  });

  it('a per-model default_catalog is refused', () => {
    expectError('MODEL (name a.b, default_catalog db); SELECT 1', '1:18', /default_catalog cannot be set on a model/);
  });

  it('blueprints that are not a list of mappings, and a name a blueprint cannot fill in', () => {
    expectError('MODEL (name @s.b, blueprints @gen_blueprints()); SELECT 1', '1:30', /blueprints from @GEN_BLUEPRINTS: no file in macros\/ exports a function named gen_blueprints/);
    expectError('MODEL (name @s.b, blueprints eu); SELECT 1', '1:30', /blueprints must be a list of mappings/);
    expectError('MODEL (name @s.b, blueprints ((s := eu), (s = us, 3))); SELECT 1', '1:51', /a blueprint variable is written name := value, found 3/);
    expectError('MODEL (name @s.b, blueprints ((s := eu, s := us))); SELECT 1', '1:41', /blueprint variable 's' is set twice/);
    expectError('MODEL (name @s, blueprints ((s := a))); SELECT 1', '1:13', /blueprint 1 \(line 1\) makes the model name a, which is not a name like schema\.table/);
    expectError('MODEL (name @s.b, blueprints ((t := eu))); SELECT 1', '1:13', /the model name uses @s, which blueprint 1 \(line 1\) does not set/);
  });

  it('macros in properties Sluice interprets, but not in audit arguments', () => {
    expectError('MODEL (\n  name @{schema}.orders\n); SELECT 1', '2:8', /macros in the 'name' property are not supported/);
    expectError('MODEL (name a.b, kind INCREMENTAL_BY_TIME_RANGE (time_column ds, batch_size @size)); SELECT 1', '1:77', /macros in the 'kind' property/);
    const model = parse('MODEL (name a.b, audits (does_not_exceed(column := id, threshold := @threshold()))); SELECT 1');
    assert.deepEqual(errors(model), []);
    assert.deepEqual(model.definition?.audits, [{ name: 'does_not_exceed', args: { column: 'id', threshold: '@threshold()' } }]);
  });

  it('a macro as a property name', () => {
    expectError('MODEL (name a.b, @props()); SELECT 1', '1:18', /macro @props cannot be used as a property name/);
  });

  it('@DEF after the query and @DEF without a value', () => {
    expectError('MODEL (name a.b);\nSELECT 1;\n@DEF(x, 1);', '3:1', /@DEF must come before the query/);
    expectError('MODEL (name a.b);\n@DEF(x);\nSELECT 1', '2:7', /@DEF\(x, \.\.\.\) needs a value after the name/);
    expectError('MODEL (name a.b);\n@DEF(x, );\nSELECT 1', '2:9', /needs a value after the comma/);
  });

  it('reports several problems in one header, each at its place', () => {
    const model = parse("MODEL (\n  name a.b,\n  kind FOO,\n  cron,\n  tags [x,\n);\nSELECT 1");
    assert.deepEqual(errors(model).map((e) => e.split(' ')[0]), ['3:8', '4:3', '5:8']);
  });

  it('never throws, whatever prefix of a model file it is given', () => {
    const text = `/* doc */
MODEL (
  name sushi.orders,
  kind INCREMENTAL_BY_TIME_RANGE (time_column (ds, '%Y-%m-%d'), batch_size 7),
  audits (not_null(columns := [id, ds])),
  column_descriptions (id = 'it''s the id'),
  columns (id INT, ds DATE)
);
@DEF(x, "a b");
SELECT id, ds, '@start_ds' AS s FROM raw.orders WHERE ds BETWEEN @start_ds AND @end_ds AND id > @x;`;
    for (let i = 0; i <= text.length; i++) {
      const model = parse(text.slice(0, i));
      for (const d of model.diagnostics) {
        assert.ok(d.start.offset <= i && d.end.offset <= i && d.start.offset <= d.end.offset, `bad range at prefix ${i}: ${d.message}`);
        assert.ok(!d.message.startsWith('internal error'), `prefix ${i}: ${d.message}`);
      }
    }
    assert.deepEqual(errors(parse(text)), []);
  });

  it('never throws or hangs on shuffled model-like token soup (fixed seed)', () => {
    const pieces = [
      'MODEL', '(', ')', '[', ']', ',', ';', 'name', 'a.b', 'kind', 'FULL', 'INCREMENTAL_BY_TIME_RANGE', 'time_column',
      "'x'", '"q"', '1', '-', '=', ':=', '@DEF', '@x', '@{y}', 'SELECT', 'FROM', 'AUDIT', '--c\n', '/*c*/', "'", '"', '\n',
    ];
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const length = 1 + random(40);
      const text = Array.from({ length }, () => pieces[random(pieces.length)]).join(' ');
      const model = parse(text);
      assert.ok(!model.diagnostics.some((d) => d.message.startsWith('internal error')), text);
      renderQuery(model);
    }
  });

  it('keeps unknown properties as warnings, not errors', () => {
    const model = parse('MODEL (name a.b, flavour vanilla); SELECT 1');
    assert.deepEqual(errors(model), []);
    assert.deepEqual(warnings(model), ["1:18 warning unknown model property 'flavour'"]);
  });
});

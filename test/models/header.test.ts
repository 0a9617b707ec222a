import { strict as assert } from 'node:assert';
import { definitionOf, errors, parse, warnings } from './helpers';

describe('model header: properties', () => {
  it('reads a minimal model: name, default kind VIEW, the query', () => {
    const model = parse('MODEL (name analytics.orders);\nSELECT 1 AS x');
    assert.deepEqual(errors(model), []);
    assert.equal(model.definition?.name, 'analytics.orders');
    assert.deepEqual(model.definition?.nameParts, ['analytics', 'orders']);
    assert.deepEqual(model.definition?.kind, { name: 'VIEW' });
    assert.deepEqual(model.definition?.audits, []);
    assert.deepEqual(model.definition?.columnDescriptions, {});
    assert.equal(model.query, 'SELECT 1 AS x');
    assert.deepEqual(model.queryStart, { offset: 31, line: 2, column: 1 });
  });

  it('reads every interpreted property', () => {
    const d = definitionOf(`MODEL (
  name sushi.customer_totals,
  kind FULL,
  cron '0 6 * * *',
  start '2024-01-01',
  end '2024-12-31',
  owner toby,
  description 'Revenue per customer',
  grain customer_id,
  tags [finance, 'daily'],
  audits (not_null(columns := [customer_id, revenue]), unique_values(columns := (customer_id)), positive_revenue),
  column_descriptions (customer_id = 'The customer', revenue = 'Lifetime revenue'),
  columns (customer_id INT, revenue DECIMAL(10, 2), "Display Name" VARCHAR),
  dialect duckdb,
  partitioned_by (customer_id, TIMESTAMP_TRUNC(event_ts, DAY)),
  clustered_by region,
  table_format iceberg,
  storage_format parquet,
  depends_on [sushi.orders, sushi.customers],
  enabled true
);
SELECT 1 AS customer_id`);
    assert.deepEqual(d.kind, { name: 'FULL' });
    assert.equal(d.cron, '0 6 * * *');
    assert.equal(d.start, '2024-01-01');
    assert.equal(d.end, '2024-12-31');
    assert.equal(d.owner, 'toby');
    assert.equal(d.description, 'Revenue per customer');
    assert.deepEqual(d.grain, ['customer_id']);
    assert.deepEqual(d.tags, ['finance', 'daily']);
    assert.deepEqual(d.audits, [
      { name: 'not_null', args: { columns: '[customer_id, revenue]' } },
      { name: 'unique_values', args: { columns: '(customer_id)' } },
      { name: 'positive_revenue', args: {} },
    ]);
    assert.deepEqual(d.columnDescriptions, { customer_id: 'The customer', revenue: 'Lifetime revenue' });
    assert.deepEqual(d.columns, { customer_id: 'INT', revenue: 'DECIMAL(10, 2)', 'Display Name': 'VARCHAR' });
    assert.equal(d.dialect, 'duckdb');
    assert.deepEqual(d.partitionedBy, ['customer_id', 'TIMESTAMP_TRUNC(event_ts, DAY)']);
    assert.deepEqual(d.storage, { clusteredBy: ['region'], tableFormat: 'iceberg', storageFormat: 'parquet' });
    assert.deepEqual(d.dependsOn, ['sushi.orders', 'sushi.customers']);
    assert.equal(d.enabled, true);
  });

  it('accepts grain and tags as a single name, a tuple or an array, and grains as an alias', () => {
    assert.deepEqual(definitionOf('MODEL (name a.b, grain id); SELECT 1').grain, ['id']);
    assert.deepEqual(definitionOf('MODEL (name a.b, grain [id, ds]); SELECT 1').grain, ['id', 'ds']);
    assert.deepEqual(definitionOf('MODEL (name a.b, grain (id, "DS")); SELECT 1').grain, ['id', 'DS']);
    assert.deepEqual(definitionOf('MODEL (name a.b, grains (id, ds)); SELECT 1').grain, ['id', 'ds']);
    assert.deepEqual(definitionOf('MODEL (name a.b, tags expensive); SELECT 1').tags, ['expensive']);
    assert.deepEqual(definitionOf('MODEL (name a.b, tags (pii, fact)); SELECT 1').tags, ['pii', 'fact']);
  });

  it('accepts start/end as epoch milliseconds and relative strings, owner as a string', () => {
    const d = definitionOf("MODEL (name a.b, start 1704067200000, end '1 day ago', owner 'data team'); SELECT 1");
    assert.equal(d.start, '1704067200000');
    assert.equal(d.end, '1 day ago');
    assert.equal(d.owner, 'data team');
  });

  it('uses the comments before MODEL as the description unless a description is given', () => {
    assert.equal(definitionOf('/* Table of revenue. */\n-- second line\nMODEL (name a.b); SELECT 1').description, 'Table of revenue.\nsecond line');
    assert.equal(definitionOf("-- ignored\nMODEL (name a.b, description 'Given'); SELECT 1").description, 'Given');
    assert.equal(definitionOf('MODEL (name a.b); -- after\nSELECT 1').description, undefined);
  });

  it('keeps user-chosen keys that collide with object internals', () => {
    const model = parse("MODEL (name a.b, columns (__proto__ INT, constructor TEXT), column_descriptions (__proto__ = 'odd'));\n@DEF(__proto__, 1);\nSELECT @__proto__");
    assert.deepEqual(errors(model), []);
    assert.deepEqual(Object.keys(model.definition!.columns!), ['__proto__', 'constructor']);
    assert.equal(model.definition!.columnDescriptions.__proto__, 'odd');
    assert.deepEqual(Object.keys(model.defs), ['__proto__']);
  });

  it('reads quoted and three-part names', () => {
    const d = definitionOf('MODEL (name "my db"."My Schema".orders); SELECT 1');
    assert.deepEqual(d.nameParts, ['my db', 'My Schema', 'orders']);
    assert.equal(d.name, '"my db"."My Schema".orders');
  });

  it('keeps every property as raw text with positions, kind options under kind.<option>', () => {
    const text = `MODEL (
  name a.b,
  kind INCREMENTAL_BY_TIME_RANGE (time_column ds, batch_size 7),
  physical_properties (partition_expiration_days = 7, creatable_type = TRANSIENT),
  stamp 'v2'
);
SELECT 1 AS ds`;
    const d = definitionOf(text);
    assert.equal(d.properties.physical_properties.raw, '(partition_expiration_days = 7, creatable_type = TRANSIENT)');
    assert.deepEqual(d.properties.physical_properties.start, { offset: text.indexOf('(partition'), line: 4, column: 23 });
    assert.deepEqual(d.properties.physical_properties.keyStart, { offset: text.indexOf('physical'), line: 4, column: 3 });
    assert.equal(d.properties.stamp.raw, "'v2'");
    assert.equal(d.properties.kind.raw, 'INCREMENTAL_BY_TIME_RANGE (time_column ds, batch_size 7)');
    assert.equal(d.properties['kind.batch_size'].raw, '7');
    assert.deepEqual(d.properties['kind.batch_size'].start, { offset: text.indexOf('7)'), line: 3, column: 62 });
    assert.equal(d.properties['kind.time_column'].raw, 'ds');
  });

  it('keeps SQLMesh properties Sluice does not interpret without warnings, and warns on unknown ones', () => {
    const model = parse(`MODEL (
  name a.b,
  interval_unit 'hour',
  cron_tz 'America/Los_Angeles',
  allow_partials true,
  session_properties (query_timeout = 60),
  references (account_id),
  gateway local,
  colour 'blue'
);
SELECT 1`);
    assert.deepEqual(errors(model), []);
    assert.deepEqual(warnings(model), ["9:3 warning unknown model property 'colour'"]);
    assert.equal(model.definition?.properties.colour.raw, "'blue'");
    assert.equal(model.definition?.properties.interval_unit.raw, "'hour'");
  });

  it('accepts a dialect Sluice translates, and warns about one it cannot', () => {
    const known = parse('MODEL (name a.b, dialect snowflake); SELECT 1');
    assert.equal(known.definition?.dialect, 'snowflake');
    assert.deepEqual(warnings(known), []);
    const unknown = parse('MODEL (name a.b, dialect klingon); SELECT 1');
    assert.equal(unknown.definition?.dialect, 'klingon');
    assert.match(warnings(unknown)[0], /^1:26 warning dialect 'klingon' is not one Sluice can translate/);
  });
});

describe('model header: kinds', () => {
  it('reads FULL, EMBEDDED, EXTERNAL and case-insensitive kind names', () => {
    assert.deepEqual(definitionOf('MODEL (name a.b, kind full); SELECT 1').kind, { name: 'FULL' });
    assert.deepEqual(definitionOf('MODEL (name a.b, kind EMBEDDED); SELECT 1').kind, { name: 'EMBEDDED' });
    assert.deepEqual(definitionOf('MODEL (name a.b, kind External); SELECT 1').kind, { name: 'EXTERNAL' });
  });

  it('reads VIEW with and without materialized', () => {
    assert.deepEqual(definitionOf('MODEL (name a.b, kind VIEW); SELECT 1').kind, { name: 'VIEW' });
    assert.deepEqual(definitionOf('MODEL (name a.b, kind VIEW (materialized true)); SELECT 1').kind, { name: 'VIEW', materialized: true });
  });

  it('reads INCREMENTAL_BY_TIME_RANGE with a plain time column', () => {
    assert.deepEqual(definitionOf('MODEL (name a.b, kind INCREMENTAL_BY_TIME_RANGE (time_column event_date)); SELECT 1').kind, {
      name: 'INCREMENTAL_BY_TIME_RANGE',
      timeColumn: 'event_date',
    });
  });

  it('reads INCREMENTAL_BY_TIME_RANGE with a time column format, batch_size, lookback and other options', () => {
    const d = definitionOf(`MODEL (
  name a.b,
  kind INCREMENTAL_BY_TIME_RANGE (
    time_column (ds, '%Y-%m-%d'),
    batch_size 7,
    lookback 2,
    batch_concurrency 2,
    forward_only true,
    on_destructive_change warn,
    auto_restatement_cron '@weekly',
    partition_by_time_column false,
  )
);
SELECT 1 AS ds`);
    assert.deepEqual(d.kind, { name: 'INCREMENTAL_BY_TIME_RANGE', timeColumn: 'ds', timeColumnFormat: '%Y-%m-%d', batchSize: 7, lookback: 2, forwardOnly: true, onDestructiveChange: 'warn' });
    assert.equal(d.properties['kind.on_destructive_change'].raw, 'warn');
  });

  it('takes the time column format from a separate format option too', () => {
    assert.deepEqual(definitionOf(`MODEL (name a.b, kind INCREMENTAL_BY_TIME_RANGE (time_column "ds", format '%Y%m%d')); SELECT 1`).kind, {
      name: 'INCREMENTAL_BY_TIME_RANGE',
      timeColumn: 'ds',
      timeColumnFormat: '%Y%m%d',
    });
  });

  it('reads INCREMENTAL_BY_UNIQUE_KEY with one key, several keys and an expression key', () => {
    assert.deepEqual(definitionOf('MODEL (name a.b, kind INCREMENTAL_BY_UNIQUE_KEY (unique_key id)); SELECT 1').kind, {
      name: 'INCREMENTAL_BY_UNIQUE_KEY',
      uniqueKey: ['id'],
    });
    assert.deepEqual(
      (definitionOf('MODEL (name a.b, kind INCREMENTAL_BY_UNIQUE_KEY (unique_key (first_name, "Last Name"))); SELECT 1').kind as { uniqueKey: string[] }).uniqueKey,
      ['first_name', 'Last Name'],
    );
    assert.deepEqual(
      (definitionOf(`MODEL (name a.b, kind INCREMENTAL_BY_UNIQUE_KEY (unique_key COALESCE("name", ''))); SELECT 1`).kind as { uniqueKey: string[] }).uniqueKey,
      [`COALESCE("name", '')`],
    );
  });

  it('reads when_matched with and without parentheses, and merge_filter', () => {
    const withParens = definitionOf(`MODEL (
  name db.employees,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key name,
    when_matched (WHEN MATCHED THEN UPDATE SET target.salary = COALESCE(source.salary, target.salary)),
    merge_filter source.ds > target.ds AND target.ds > '2024-01-01'
  )
);
SELECT 1`);
    assert.deepEqual(withParens.kind, {
      name: 'INCREMENTAL_BY_UNIQUE_KEY',
      uniqueKey: ['name'],
      whenMatched: 'WHEN MATCHED THEN UPDATE SET target.salary = COALESCE(source.salary, target.salary)',
    });
    assert.equal(withParens.properties['kind.merge_filter'].raw, "source.ds > target.ds AND target.ds > '2024-01-01'");

    const bare = definitionOf(`MODEL (
  name db.employees,
  kind INCREMENTAL_BY_UNIQUE_KEY (
    unique_key name,
    when_matched WHEN MATCHED THEN UPDATE SET target.a = source.a, target.b = source.b,
    batch_size 5
  )
);
SELECT 1`);
    assert.equal((bare.kind as { whenMatched?: string }).whenMatched, 'WHEN MATCHED THEN UPDATE SET target.a = source.a, target.b = source.b');
    assert.equal(bare.properties['kind.batch_size'].raw, '5');
  });

  it('reads SEED with path and csv_settings, and needs no query', () => {
    const model = parse(`MODEL (
  name sushi.waiter_names,
  kind SEED (
    path '../seeds/waiter_names.csv',
    batch_size 5,
    csv_settings (delimiter = ';', na_values = ('NA', 'n/a'), keep_default_na = false, quotechar = '"')
  ),
  columns (id INT, name TEXT)
)`);
    assert.deepEqual(errors(model), []);
    assert.deepEqual(model.definition?.kind, {
      name: 'SEED',
      path: '../seeds/waiter_names.csv',
      csvSettings: { delimiter: ';', na_values: ['NA', 'n/a'], keep_default_na: false, quotechar: '"' },
    });
    assert.equal(model.query, '');
  });

  it('reads a kind written without a space before its parenthesis', () => {
    assert.deepEqual(definitionOf('MODEL (name a.b, kind INCREMENTAL_BY_UNIQUE_KEY(unique_key id)); SELECT 1').kind, {
      name: 'INCREMENTAL_BY_UNIQUE_KEY',
      uniqueKey: ['id'],
    });
  });
});

describe('model header: comments and formatting', () => {
  const variants: Record<string, string> = {
    'one line, no spaces': "MODEL(name a.b,kind FULL,cron '@daily');SELECT 1",
    'lower-case model keyword and trailing comma': "model (\n  name a.b,\n  kind full,\n  cron '@daily',\n);\nSELECT 1",
    'comments everywhere': `-- leading
MODEL ( -- after paren
  /* before key */ name /* between */ a.b, -- after value
  kind -- kind comes next
    FULL /* kind done */,
  cron /* c */ '@daily' -- last
) -- after block
; /* before query */
SELECT 1 -- trailing`,
    'CRLF line endings and tabs': "MODEL (\r\n\tname a.b,\r\n\tkind FULL,\r\n\tcron '@daily'\r\n);\r\nSELECT 1",
    'property names in upper case': "MODEL (NAME a.b, KIND FULL, CRON '@daily'); SELECT 1",
  };
  for (const [label, text] of Object.entries(variants)) {
    it(`reads the same definition: ${label}`, () => {
      const d = definitionOf(text);
      assert.equal(d.name, 'a.b');
      assert.deepEqual(d.kind, { name: 'FULL' });
      assert.equal(d.cron, '@daily');
    });
  }

  it('keeps comment markers out of values and strings with doubled quotes intact', () => {
    const d = definitionOf("MODEL (name a.b, description 'it''s -- not a comment /* nor this */'); SELECT 1");
    assert.equal(d.description, "it's -- not a comment /* nor this */");
  });

  it('counts CRLF as one line break in positions', () => {
    const text = 'MODEL (\r\n  name a.b,\r\n  owner\r\n);\r\nSELECT 1';
    const model = parse(text);
    assert.deepEqual(errors(model), ["3:3 error property 'owner' has no value"]);
    assert.deepEqual(model.queryStart, { offset: text.indexOf('SELECT'), line: 5, column: 1 });
  });
});

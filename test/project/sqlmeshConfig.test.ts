// SQLMesh's config.yaml / config.py as project settings: what is read, what sluice.yaml overrides, and
// errors that name the file and line.
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { findProjectDir, loadProject } from '../../core/project/config';
import { makeProject, type TempProject } from '../helpers/project';

/** A project folder with the given files and no sluice.yaml unless one is given. */
function sqlmeshProject(files: Record<string, string>): TempProject {
  const project = makeProject({ 'models/a.sql': 'MODEL (name s.a);\nSELECT 1 AS x\n', ...files });
  if (!('sluice.yaml' in files)) require('node:fs').rmSync(path.join(project.dir, 'sluice.yaml'));
  return project;
}

describe('SQLMesh config as project settings', () => {
  const projects: TempProject[] = [];
  const make = (files: Record<string, string>) => {
    const p = sqlmeshProject(files);
    projects.push(p);
    return p;
  };
  after(() => projects.forEach((p) => p.cleanup()));

  it('reads config.yaml: model_defaults, variables (a gateway overriding them), the DuckDB gateway as warehouse, default environment, before_all / after_all', () => {
    const p = make({
      'config.yaml': `project: shop
gateways:
  local:
    connection:
      type: duckdb
      database: db/local.duckdb
    variables:
      region: eu
  other:
    connection:
      type: duckdb
      database: other.duckdb
default_gateway: local
default_target_environment: dev
model_naming:
  infer_names: true
model_defaults:
  dialect: DuckDB
  kind:
    name: INCREMENTAL_BY_TIME_RANGE
    time_column: [ds, '%Y-%m-%d']
    batch_size: 7
  start: 2024-01-01
  cron: '@hourly'
  owner: data
variables:
  Region: us
  limits: [1, 2]
before_all:
  - CREATE SCHEMA IF NOT EXISTS raw
after_all:
  - SELECT @this_env
`,
    });
    const project = loadProject(p.dir);
    assert.equal(project.name, 'shop');
    assert.equal(project.warehouse, path.join(p.dir, 'db', 'local.duckdb'));
    assert.equal(project.defaultEnvironment, 'dev');
    assert.deepEqual(project.models.defaults, {
      kind: { name: 'INCREMENTAL_BY_TIME_RANGE', timeColumn: 'ds', timeColumnFormat: '%Y-%m-%d', batchSize: 7 },
      dialect: 'duckdb',
      start: '2024-01-01',
      cron: '@hourly',
      owner: 'data',
    });
    assert.deepEqual(project.models.variables, { region: 'eu', limits: [1, 2] });
    assert.equal(project.models.inferNames, true);
    assert.deepEqual(project.beforeAll, ['CREATE SCHEMA IF NOT EXISTS raw']);
    assert.deepEqual(project.afterAll, ['SELECT @this_env']);
    assert.deepEqual(project.notes, []);
    assert.equal(project.sqlmeshConfig, path.join(p.dir, 'config.yaml'));
  });

  it('finds a SQLMesh project folder (config beside models/) from below it', () => {
    const p = make({ 'config.yml': 'model_defaults:\n  dialect: duckdb\n' });
    assert.equal(findProjectDir(path.join(p.dir, 'models')), p.dir);
    assert.equal(loadProject(p.dir).name, path.basename(p.dir));
  });

  it('notes what it does not act on: an in-memory or non-DuckDB gateway, model defaults it does not apply, mapping variables', () => {
    const memory = loadProject(make({ 'config.yaml': 'gateways:\n  mem:\n    connection:\n      type: duckdb\nmodel_defaults:\n  dialect: duckdb\n  storage_format: parquet\nvariables:\n  nested:\n    a: 1\n' }).dir);
    assert.equal(memory.warehouse, path.join(memory.dir, 'warehouse.duckdb'));
    assert.deepEqual(memory.notes.map((n) => n.replace(memory.dir + path.sep, '')), [
      'config.yaml:7:19: model_defaults.storage_format is not applied by Sluice',
      'config.yaml:10:5: variables.nested is a mapping; Sluice supports variables holding a value or a list of values, so @nested is not defined',
      'config.yaml:4:7: gateway mem uses an in-memory DuckDB database; Sluice keeps the warehouse in warehouse.duckdb, so that environments last between commands',
    ]);
    const snowflake = loadProject(make({ 'config.yaml': 'gateways:\n  sf:\n    connection:\n      type: snowflake\n      account: x\n' }).dir);
    assert.match(snowflake.notes[0], /config\.yaml:4:7: gateway sf connects to snowflake; Sluice runs the models on DuckDB, in warehouse\.duckdb$/);
    const catalogs = loadProject(make({ 'config.yaml': 'gateways:\n  g:\n    connection:\n      type: duckdb\n      catalogs:\n        local: data/local.duckdb\n' }).dir);
    assert.equal(catalogs.warehouse, path.join(catalogs.dir, 'data', 'local.duckdb'));
  });

  it('sluice.yaml wins where both set something', () => {
    const p = make({
      'config.yaml': 'project: from_config\ngateways:\n  g:\n    connection:\n      type: duckdb\n      database: config.duckdb\nmodel_defaults:\n  dialect: duckdb\n  cron: "@hourly"\nvariables:\n  a: 1\n  b: 2\ndefault_target_environment: dev\n',
      'sluice.yaml': 'name: from_sluice\nwarehouse: sluice.duckdb\nmodel_defaults:\n  cron: "@daily"\nvariables:\n  b: 3\ndefault_target_environment: staging\n',
    });
    const project = loadProject(p.dir);
    assert.equal(project.name, 'from_sluice');
    assert.equal(project.warehouse, path.join(p.dir, 'sluice.duckdb'));
    assert.deepEqual(project.models.defaults, { dialect: 'duckdb', cron: '@daily' });
    assert.deepEqual(project.models.variables, { a: 1, b: 3 });
    assert.equal(project.defaultEnvironment, 'staging');
  });

  it('reads environment_ttl: SQLMesh\'s "in 1 week" in config.yaml, 3d in sluice.yaml (which wins), never, and a week by default', () => {
    const day = 86_400_000;
    assert.equal(loadProject(make({ 'config.yaml': 'environment_ttl: in 2 weeks\n' }).dir).environmentTtlMs, 14 * day);
    assert.equal(loadProject(make({ 'config.py': 'from sqlmesh.core.config import Config\n\nconfig = Config(environment_ttl="in 36 hours")\n' }).dir).environmentTtlMs, 1.5 * day);
    assert.equal(loadProject(make({ 'config.yaml': 'environment_ttl: in 2 weeks\n', 'sluice.yaml': 'environment_ttl: 3d\n' }).dir).environmentTtlMs, 3 * day);
    assert.equal(loadProject(make({ 'config.yaml': 'environment_ttl: in 2 weeks\n', 'sluice.yaml': 'environment_ttl: never\n' }).dir).environmentTtlMs, null);
    assert.equal(loadProject(make({ 'config.yaml': 'project: p\n' }).dir).environmentTtlMs, 7 * day);
  });

  it('reports bad settings at their file, line and column', () => {
    const cases: [string, RegExp][] = [
      ['model_defaults:\n  kind: SNAPSHOT\n', /config\.yaml:2:9: model_defaults\.kind: unknown model kind 'SNAPSHOT'/],
      ['model_defaults:\n  cron: every day\n', /config\.yaml:2:9: model_defaults\.cron: cron must be @hourly, @daily/],
      ['model_defaults:\n  kind:\n    name: INCREMENTAL_BY_TIME_RANGE\n', /config\.yaml:3:5: model_defaults\.kind: kind INCREMENTAL_BY_TIME_RANGE needs a time_column/],
      ['gateways:\n  a:\n    connection:\n      type: duckdb\ndefault_gateway: b\n', /config\.yaml:5:18: default_gateway b is not one of the gateways \(a\)/],
      ['before_all: CREATE SCHEMA x\n', /config\.yaml:1:13: before_all must be a list of SQL statements/],
      ['model_defaults:\n  dialect: [a]\n', /config\.yaml:2:12: model_defaults\.dialect must be a string/],
      ['environment_ttl: soon\n', /config\.yaml:1:18: environment_ttl must be a duration such as 7d, 12h, 2w or 'in 1 week', or never/],
      ['model_defaults:\n  dialect: duckdb\n bad indent: 1\n', /config\.yaml:3:\d+: /],
    ];
    for (const [text, expected] of cases) {
      const p = make({ 'config.yaml': text });
      assert.throws(() => loadProject(p.dir), (err: Error) => {
        assert.match(err.message.replace(p.dir + path.sep, ''), expected);
        assert.ok(err.message.startsWith(path.join(p.dir, 'config.yaml')), err.message);
        return true;
      });
    }
    // A dialect Sluice cannot translate is a note, not an error: such models are read as DuckDB SQL.
    const odd = loadProject(make({ 'config.yaml': 'model_defaults:\n  dialect: teradata\n' }).dir);
    assert.match(odd.notes[0], /config\.yaml:2:12: model_defaults\.dialect: dialect 'teradata' is not one Sluice can translate/);
  });

  it('reads the literal parts of config.py without running it, and names in one note what only Python could compute', () => {
    const p = make({
      'config.py': `import os
from sqlmesh.core.config import Config, DuckDBConnectionConfig, GatewayConfig, ModelDefaultsConfig

DATA_DIR = os.path.join(os.path.dirname(__file__), "data")
defaults = {"dialect": "duckdb", "cron": "@daily"}
before_all = [
    "CREATE SCHEMA IF NOT EXISTS raw",  # a comment
    'CREATE VIEW raw.v AS SELECT 1 AS "x"',
]

config = Config(
    gateways={
        "local": GatewayConfig(connection=DuckDBConnectionConfig(database="db/local.duckdb")),
        "persistent": GatewayConfig(connection=DuckDBConnectionConfig(database=f"{DATA_DIR}/x.duckdb")),
    },
    default_gateway="local",
    model_defaults=ModelDefaultsConfig(**defaults, start="2024-02-01"),
    variables={"threshold": 10, "flag": True, "names": ("a", "b")},
    before_all=before_all,
    after_all=[os.getenv("AFTER")],
    linter=LinterConfig(enabled=False),
)

other_config = Config(model_defaults=ModelDefaultsConfig(dialect="snowflake"))
`,
    });
    const project = loadProject(p.dir);
    assert.equal(project.warehouse, path.join(p.dir, 'db', 'local.duckdb'));
    assert.deepEqual(project.models.defaults, { dialect: 'duckdb', cron: '@daily', start: '2024-02-01' });
    assert.deepEqual(project.models.variables, { threshold: 10, flag: true, names: ['a', 'b'] });
    assert.deepEqual(project.beforeAll, ['CREATE SCHEMA IF NOT EXISTS raw', 'CREATE VIEW raw.v AS SELECT 1 AS "x"']);
    assert.deepEqual(project.afterAll, []);
    assert.deepEqual(project.notes.map((n) => n.replace(p.dir + path.sep, '')), [
      'config.py: read without running Python; not read: gateway persistent (line 14: an f-string with fields); after_all (line 20: a call of os.getenv(...), which only Python can run)',
    ]);
  });

  it('says so when config.py has no config it can read', () => {
    const p = make({ 'config.py': 'from sqlmesh.core.config import Config\n\nconfig = make_config()\n' });
    const project = loadProject(p.dir);
    assert.equal(project.warehouse, path.join(p.dir, 'warehouse.duckdb'));
    assert.match(project.notes[0], /config\.py: no `config = Config\(\.\.\.\)` that Sluice can read without running Python/);
  });
});

// SQLMesh Python models and macros, read without running Python: the @model decorator gives the table its
// name, columns and dependencies (so the graph, lineage and diagnostics know it); a Python macro's call is
// an error at the call, naming the macro's file. Also the project's model_defaults and $root seed paths.
import { strict as assert } from 'node:assert';
import { ModelProject } from '../../core/dag/project';
import { parsePythonModelFile } from '../../core/models/pythonModel';
import type { TempProject } from '../helpers/project';
import { describe as describeDiagnostics, errorsOf, modelProject } from './helpers';

const ORDERS_PY = `import typing as t
from sqlmesh import ExecutionContext, model
from sqlmesh.core.model.kind import ModelKindName

COLUMNS = {"id": "int", "customer_id": "int", "amount": "double"}


@model(
    "sales.orders",
    kind=dict(name=ModelKindName.INCREMENTAL_BY_TIME_RANGE, time_column="ds"),
    columns=COLUMNS,
    depends_on={"sales.customers"},
    description="Orders " "from Python.",
)
def execute(context: ExecutionContext, **kwargs: t.Any):
    return context.fetchdf("SELECT 1")
`;

describe('Python models and macros (read statically)', function () {
  this.timeout(20_000);
  let project: TempProject | undefined;
  afterEach(() => {
    project?.cleanup();
    project = undefined;
  });

  it('reads name, kind, columns (through a module constant), depends_on and description from @model', () => {
    const parsed = parsePythonModelFile(ORDERS_PY, 'models/orders.py');
    assert.deepEqual(parsed.python, { kind: 'INCREMENTAL_BY_TIME_RANGE' });
    const d = parsed.definition!;
    assert.deepEqual([d.name, d.nameParts, d.kind], ['sales.orders', ['sales', 'orders'], { name: 'EXTERNAL' }]);
    assert.deepEqual(d.columns, { id: 'int', customer_id: 'int', amount: 'double' });
    assert.deepEqual(d.dependsOn, ['sales.customers']);
    assert.equal(d.description, 'Orders from Python.');
    assert.deepEqual(parsed.diagnostics.map((x) => `${x.start.line}:${x.start.column}: ${x.severity}: ${x.message}`), [
      '8:2: warning: Python model sales.orders: Sluice cannot run Python models, so it does not build this table; models reading sales.orders read it as it is in the warehouse (built elsewhere)',
    ]);
  });

  it('says exactly what it cannot read, and ignores files that define no model', () => {
    const computed = parsePythonModelFile('from sqlmesh import model\n\n@model(\n    name="a.b",\n    columns=make_columns(),\n)\ndef execute(context):\n    pass\n', 'm.py');
    assert.equal(computed.definition?.name, 'a.b');
    assert.equal(computed.definition?.columns, undefined);
    assert.match(computed.diagnostics[0].message, /the columns of Python model a\.b cannot be read without running Python/);
    assert.deepEqual([computed.diagnostics[0].start.line, computed.diagnostics[0].start.column], [5, 13]);
    const unnamed = parsePythonModelFile(`@model(f"{SCHEMA}.b", columns={"x": "int"})\ndef execute(context):\n    pass\n`, 'm.py');
    assert.equal(unnamed.definition, undefined);
    assert.equal(unnamed.diagnostics[0].severity, 'error');
    assert.match(unnamed.diagnostics[0].message, /the model name must be a string written in the decorator/);
    const helper = parsePythonModelFile('def iter_dates(start, end):\n    return []\n', 'helper.py');
    assert.deepEqual([helper.definition, helper.diagnostics], [undefined, []]);
    const disabled = parsePythonModelFile('@model("a.off", columns={"x": "int"}, enabled=False)\ndef f(c):\n    pass\n', 'm.py');
    assert.deepEqual([disabled.definition?.enabled, disabled.diagnostics], [false, []]);
  });

  it('gives the graph, lineage and diagnostics the Python model\'s table: no "unknown table" for its readers', async () => {
    project = modelProject({
      'models/orders.py': ORDERS_PY,
      'models/customers.sql': 'MODEL (name sales.customers, kind FULL);\nSELECT 1 AS id, \'x\' AS name\n',
      'models/big_orders.sql': 'MODEL (name sales.big_orders, kind FULL);\nSELECT o.id, o.amount * 2 AS doubled FROM sales.orders AS o WHERE o.amount > 10\n',
    });
    const models = await ModelProject.load(project.dir);
    assert.deepEqual(errorsOf(models.diagnostics(), project.dir), []);
    const orders = models.model('sales.orders')!;
    assert.equal(orders.kind, 'EXTERNAL');
    assert.deepEqual(orders.columns, [{ name: 'id', type: 'int' }, { name: 'customer_id', type: 'int' }, { name: 'amount', type: 'double' }]);
    assert.deepEqual(orders.upstream, ['sales.customers']);
    assert.deepEqual(orders.downstream, ['sales.big_orders']);
    assert.deepEqual(models.buildOrder(), ['sales.customers', 'sales.orders', 'sales.big_orders']);
    assert.deepEqual(models.columnLineage('sales.big_orders', 'doubled')?.sources, ['sales.orders.amount']);
    assert.deepEqual(models.downstream('sales.orders', 'amount').map((d) => d.column).sort(), ['sales.big_orders.doubled', 'sales.big_orders.id']); // id through the WHERE filter
    assert.deepEqual(models.model('sales.big_orders')!.columns.map((c) => c.name), ['id', 'doubled']);
  });

  it('a Python macro called in a model is an error at the call, naming the file that defines it', async () => {
    project = modelProject({
      'macros/utils.py': 'from sqlmesh import macro\n\n\n@macro()\ndef add_one(evaluator, column):\n    return column + 1\n',
      'models/scores.sql': 'MODEL (name sales.scores, kind FULL);\nSELECT 1 AS id, @ADD_ONE(1) AS score, @UNKNOWN_MACRO(2) AS other\n',
    });
    const models = await ModelProject.load(project.dir);
    assert.deepEqual(errorsOf(models.diagnostics(), project.dir), [
      'models/scores.sql:2:17: error: @ADD_ONE is a Python macro (defined in macros/utils.py), and Sluice cannot run Python macros: write it as macros/add_one.ts exporting function add_one (see "Macros in TypeScript" in docs/models.md)',
      'models/scores.sql:2:39: error: unsupported macro @UNKNOWN_MACRO: no file in macros/ exports a function named unknown_macro (Sluice evaluates macro variables, @DEF, @VAR and the functions macros/*.ts export)',
    ]);
  });

  it('applies the project\'s model_defaults and variables, and reads seeds under $root', async () => {
    project = modelProject({
      'config.yaml': 'model_defaults:\n  dialect: duckdb\n  kind: FULL\n  cron: "@hourly"\nvariables:\n  factor: 3\n',
      'seeds/rates.csv': 'code,rate\nEUR,1.1\n',
      'models/finance/rates.sql': "MODEL (name finance.rates, kind SEED (path '$root/seeds/rates.csv'));\n",
      'models/finance/scaled.sql': 'MODEL (name finance.scaled, cron \'@daily\');\nSELECT code, rate * @factor AS scaled FROM finance.rates\n',
      'models/finance/as_view.sql': 'MODEL (name finance.as_view, kind VIEW);\nSELECT code FROM finance.rates\n',
    });
    const models = await ModelProject.load(project.dir);
    assert.deepEqual(describeDiagnostics(models.diagnostics(), project.dir), []);
    assert.deepEqual(models.model('finance.rates')!.columns.map((c) => c.name), ['code', 'rate']);
    const scaled = models.preparedModel('finance.scaled')!;
    assert.deepEqual([scaled.parsed.definition!.kind.name, scaled.parsed.definition!.cron, scaled.parsed.definition!.dialect], ['FULL', '@daily', 'duckdb']);
    assert.match(scaled.rendered!.sql, /rate \* 3 AS scaled/);
    assert.equal(models.preparedModel('finance.as_view')!.parsed.definition!.kind.name, 'VIEW');
    assert.equal(models.preparedModel('finance.as_view')!.parsed.definition!.cron, '@hourly');
  });
});

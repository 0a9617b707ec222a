// Python models (models/**/*.py, SQLMesh's @model decorator). Sluice cannot run Python, so such a model
// is read statically from its decorator: name, kind, columns and depends_on, which is enough for the DAG,
// lineage and diagnostics to know its table. It then stands as an EXTERNAL model: its readers read the table
// as it is in the warehouse, built elsewhere.

import { calleeName, evaluate, isMapping, NotLiteral, readPythonModule, type PyExpr, type PyModule, type PyValue } from '../python/literals';
import { LineMap, START_OF_FILE } from './position';
import type { ModelDefinition, ModelDiagnostic, ParsedModel, PropertyText } from './types';

export function isPythonModelFile(file: string): boolean {
  return file.toLowerCase().endsWith('.py');
}

export function parsePythonModelFile(text: string, file: string): ParsedModel {
  const lines = new LineMap(text);
  const diagnostics: ModelDiagnostic[] = [];
  const report = (message: string, at: { start: number; end: number }, severity: ModelDiagnostic['severity'] = 'error'): void => {
    diagnostics.push({ file, message, start: lines.position(at.start), end: lines.position(at.end), severity });
  };
  const parsed: ParsedModel = { file, defs: {}, defLocations: {}, query: '', queryStart: START_OF_FILE, statements: [], diagnostics };
  let module: PyModule;
  try {
    module = readPythonModule(text);
  } catch (err) {
    report(`internal error while reading the Python file: ${err instanceof Error ? err.message : String(err)}`, { start: 0, end: text.length });
    return parsed;
  }
  const decorators = module.decorators.filter((d) => calleeName(d.expr) === 'model');
  if (decorators.length === 0) return parsed; // a helper module, not a model
  const decorator = decorators[0];
  for (const extra of decorators.slice(1)) report('Sluice reads one @model per Python file; this one is ignored', { start: extra.start, end: extra.expr.end }, 'warning');
  parsed.queryStart = lines.position(decorator.start);
  const call = decorator.expr;
  if (call.type !== 'call') {
    report('@model needs the model name, e.g. @model("schema.table", columns={...})', call);
    return parsed;
  }

  const read = (expr: PyExpr): PyValue | undefined => {
    try {
      return evaluate(expr, {
        name: (path) => {
          // ModelKindName.FULL and friends stand for their own name.
          if (path.length === 2 && path[0] === 'ModelKindName') return path[1];
          const assigned = path.length === 1 ? module.assignments.get(path[0]) : undefined;
          return assigned && assigned !== expr ? evaluate(assigned) : undefined;
        },
        call: (callee) => (callee === 'dict' ? (kwargs) => kwargs : undefined),
      });
    } catch (err) {
      if (err instanceof NotLiteral) return undefined;
      throw err;
    }
  };
  const keyword = (name: string) => call.kwargs.find((k) => k.name === name);
  const property = (expr: PyExpr, keyStart?: number): PropertyText => {
    const entry: PropertyText = { raw: text.slice(expr.start, expr.end), start: lines.position(expr.start), end: lines.position(expr.end) };
    if (keyStart !== undefined) {
      entry.keyStart = lines.position(keyStart);
      entry.keyEnd = lines.position(expr.start);
    }
    return entry;
  };

  const nameExpr = call.args[0] ?? keyword('name')?.value;
  const name = nameExpr ? read(nameExpr) : undefined;
  if (!nameExpr || typeof name !== 'string') {
    report(nameExpr ? 'the model name must be a string written in the decorator, e.g. @model("schema.table", ...)' : '@model needs the model name, e.g. @model("schema.table", columns={...})', nameExpr ?? call);
    return parsed;
  }
  const nameParts = name.split('.').map((p) => p.replace(/^"(.*)"$/, '$1'));
  if (nameParts.length < 2 || nameParts.length > 3 || nameParts.some((p) => p === '')) {
    report(`the model name '${name}' must be schema.table or catalog.schema.table`, nameExpr);
    return parsed;
  }

  const definition: ModelDefinition = {
    name,
    nameParts,
    kind: { name: 'EXTERNAL' },
    audits: [],
    columnDescriptions: {},
    properties: { name: property(nameExpr) },
  };
  parsed.python = {};

  const kindArg = keyword('kind');
  if (kindArg) {
    const kind = read(kindArg.value);
    const kindName = typeof kind === 'string' ? kind : isMapping(kind) && typeof kind.name === 'string' ? kind.name : undefined;
    if (kindName) parsed.python.kind = kindName.toUpperCase();
  }

  const columnsArg = keyword('columns');
  const columns = columnsArg ? read(columnsArg.value) : undefined;
  if (columnsArg && isMapping(columns) && Object.values(columns).every((t) => typeof t === 'string')) {
    definition.columns = columns as Record<string, string>;
    definition.properties.columns = property(columnsArg.value, columnsArg.start);
  } else if (columnsArg) {
    report(`the columns of Python model ${name} cannot be read without running Python (write them as a dict of name to type): models reading it see no columns`, columnsArg.value, 'warning');
  } else if (!isSqlModel(keyword('is_sql')?.value, read)) {
    report(`Python model ${name} declares no columns: models reading it see no columns`, call.callee, 'warning');
  }

  const dependsArg = keyword('depends_on');
  if (dependsArg) {
    const depends = read(dependsArg.value);
    if (Array.isArray(depends) && depends.every((d) => typeof d === 'string')) {
      definition.dependsOn = depends as string[];
      definition.properties.depends_on = property(dependsArg.value, dependsArg.start);
    } else {
      report(`depends_on of Python model ${name} cannot be read without running Python (write it as a list of model names)`, dependsArg.value, 'warning');
    }
  }

  for (const key of ['description', 'owner', 'cron', 'start'] as const) {
    const arg = keyword(key);
    const value = arg ? read(arg.value) : undefined;
    if (typeof value === 'string') definition[key] = value;
  }
  const enabledArg = keyword('enabled');
  if (enabledArg) {
    const enabled = read(enabledArg.value);
    if (typeof enabled === 'boolean') definition.enabled = enabled;
  }
  const descriptions = keyword('column_descriptions');
  const described = descriptions ? read(descriptions.value) : undefined;
  if (isMapping(described)) {
    for (const [column, text] of Object.entries(described)) if (typeof text === 'string') definition.columnDescriptions[column] = text;
  }

  parsed.definition = definition;
  if (definition.enabled !== false) {
    report(
      `Python model ${name}: Sluice cannot run Python models, so it does not build this table; models reading ${name} read it as it is in the warehouse (built elsewhere)`,
      call.callee,
      'warning',
    );
  }
  return parsed;
}

/** is_sql=True: the function returns a query instead of rows (Sluice cannot run that either, but it has no columns to declare). */
function isSqlModel(expr: PyExpr | undefined, read: (expr: PyExpr) => PyValue | undefined): boolean {
  return expr !== undefined && read(expr) === true;
}

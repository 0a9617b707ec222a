// The name DuckDB gives a SELECT-list expression that has no alias: the column name for a plain
// column, otherwise DuckDB's own rendering of the expression, e.g. `sum(amount)` or `(a + 1)`.
// This follows DuckDB's rendering for common expressions; exotic ones may differ in spacing, which
// only matters for models that leave computed columns unnamed.

import {
  type CaseExpression,
  type CastExpression,
  type ExpressionNode,
  type FunctionExpression,
  type OrderByNode,
  type WindowExpression,
  isColumnRef,
  isConstant,
} from './ast';

export const COMPARISON_OPERATORS: Record<string, string> = {
  COMPARE_EQUAL: '=',
  COMPARE_NOTEQUAL: '!=',
  COMPARE_LESSTHAN: '<',
  COMPARE_GREATERTHAN: '>',
  COMPARE_LESSTHANOREQUALTO: '<=',
  COMPARE_GREATERTHANOREQUALTO: '>=',
  COMPARE_DISTINCT_FROM: 'IS DISTINCT FROM',
  COMPARE_NOT_DISTINCT_FROM: 'IS NOT DISTINCT FROM',
};

// Function names DuckDB quotes when rendering because they are SQL keywords.
const KEYWORD_FUNCTIONS = new Set(['substring', 'trim', 'position', 'overlay', 'left', 'right', 'replace']);

/** DuckDB's default output name for an unaliased SELECT-list expression (lower-cased by callers). */
export function expressionName(e: ExpressionNode): string {
  if (isColumnRef(e) && e.column_names?.length) return e.column_names[e.column_names.length - 1];
  return render(e);
}

function render(e: ExpressionNode | undefined): string {
  if (!e || typeof e.class !== 'string') return '';
  switch (e.class) {
    case 'COLUMN_REF':
      return ((e.column_names as string[] | undefined) ?? []).join('.');
    case 'CONSTANT':
      return renderConstant(e);
    case 'FUNCTION':
      return renderFunction(e as FunctionExpression);
    case 'WINDOW':
      return renderWindow(e as WindowExpression);
    case 'CAST': {
      const c = e as CastExpression;
      const kw = c.try_cast ? 'TRY_CAST' : 'CAST';
      return `${kw}(${render(c.child)} AS ${renderType(c.cast_type)})`;
    }
    case 'COMPARISON': {
      const op = COMPARISON_OPERATORS[e.type] ?? e.type;
      return `(${render(e.left as ExpressionNode)} ${op} ${render(e.right as ExpressionNode)})`;
    }
    case 'CONJUNCTION': {
      const op = e.type === 'CONJUNCTION_OR' ? ' OR ' : ' AND ';
      return `(${children(e).map(render).join(op)})`;
    }
    case 'BETWEEN':
      return `(${render(e.input as ExpressionNode)} BETWEEN ${render(e.lower as ExpressionNode)} AND ${render(
        e.upper as ExpressionNode,
      )})`;
    case 'CASE':
      return renderCase(e as CaseExpression);
    case 'OPERATOR':
      return renderOperator(e);
    case 'STAR':
      return '*';
    case 'SUBQUERY':
      return 'subquery';
    default:
      return String(e.type ?? e.class).toLowerCase();
  }
}

function children(e: ExpressionNode): ExpressionNode[] {
  return (e.children as ExpressionNode[] | undefined) ?? [];
}

function renderConstant(e: ExpressionNode): string {
  if (!isConstant(e)) return '';
  const { value } = e;
  if (value?.is_null) return 'NULL';
  const v = value?.value;
  if (typeof v === 'string') {
    const id = value?.type?.id ?? 'VARCHAR';
    if (id === 'VARCHAR') return `'${v.replace(/'/g, "''")}'`;
    return v;
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

function renderType(t: { id?: string; type_info?: unknown } | undefined): string {
  const id = t?.id ?? 'ANY';
  const info = t?.type_info as { name?: string; width?: number; scale?: number } | undefined;
  if (id === 'DECIMAL' && info && info.width !== undefined) return `DECIMAL(${info.width}, ${info.scale ?? 0})`;
  if (id === 'USER' && info?.name) return info.name.toUpperCase();
  return id;
}

function renderOrders(orders: OrderByNode[] | undefined): string {
  return (orders ?? [])
    .map((o) => {
      const dir = o.type === 'DESCENDING' ? ' DESC' : o.type === 'ASCENDING' ? ' ASC' : '';
      return render(o.expression) + dir;
    })
    .join(', ');
}

function renderFunction(f: FunctionExpression): string {
  const args = (f.children ?? []).map(render);
  if (f.is_operator) {
    if (args.length === 1) return `${f.function_name}(${args[0]})`;
    if (args.length === 2) return `(${args[0]} ${f.function_name} ${args[1]})`;
  }
  if (f.function_name === 'count_star') return 'count_star()';
  let name = KEYWORD_FUNCTIONS.has(f.function_name) ? `"${f.function_name}"` : f.function_name;
  if (f.schema) name = `${f.schema}.${name}`;
  let text = `${name}(${f.distinct ? 'DISTINCT ' : ''}${args.join(', ')}`;
  if (f.order_bys?.orders?.length) text += ` ORDER BY ${renderOrders(f.order_bys.orders)}`;
  text += ')';
  if (f.filter) text += ` FILTER (WHERE ${render(f.filter)})`;
  return text;
}

function renderWindow(w: WindowExpression): string {
  const args = (w.children ?? []).map(render);
  const parts: string[] = [];
  if (w.partitions?.length) parts.push(`PARTITION BY ${w.partitions.map(render).join(', ')}`);
  if (w.orders?.length) parts.push(`ORDER BY ${renderOrders(w.orders)}`);
  return `${w.function_name}(${args.join(', ')}) OVER (${parts.join(' ')})`;
}

function renderCase(c: CaseExpression): string {
  const checks = (c.case_checks ?? []).map((k) => ` WHEN (${render(k.when_expr)}) THEN (${render(k.then_expr)})`);
  const elseText = c.else_expr ? render(c.else_expr) : 'NULL';
  return `CASE ${checks.join('')} ELSE ${elseText} END`;
}

function renderOperator(e: ExpressionNode): string {
  const args = children(e).map(render);
  switch (e.type) {
    case 'OPERATOR_IS_NULL':
      return `(${args[0]} IS NULL)`;
    case 'OPERATOR_IS_NOT_NULL':
      return `(${args[0]} IS NOT NULL)`;
    case 'OPERATOR_NOT':
      return `(NOT ${args[0]})`;
    case 'COMPARE_IN':
      return `(${args[0]} IN (${args.slice(1).join(', ')}))`;
    case 'COMPARE_NOT_IN':
      return `(${args[0]} NOT IN (${args.slice(1).join(', ')}))`;
    case 'OPERATOR_COALESCE':
      return `COALESCE(${args.join(', ')})`;
    case 'ARRAY_EXTRACT':
      return `${args[0]}[${args[1]}]`;
    case 'ARRAY_SLICE':
      return `${args[0]}[${args[1]}:${args[2]}]`;
    default:
      return `${String(e.type).toLowerCase()}(${args.join(', ')})`;
  }
}

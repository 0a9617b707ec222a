import { strict as assert } from 'node:assert';
import { assertLineage, compact, lineage } from './helpers';

describe('lineage: single SELECT', () => {
  it('plain columns keep their names and read their table', async () => {
    await assertLineage('SELECT id, amount AS total FROM orders', [
      ['id', ['orders.id'], []],
      ['total', ['orders.amount'], []],
    ]);
  });

  it('an expression reads every column in it', async () => {
    await assertLineage('SELECT amount * 2 + id AS x FROM orders', [['x', ['orders.amount', 'orders.id'], []]]);
  });

  it('literals and count(*) have no sources', async () => {
    await assertLineage("SELECT 1 AS one, 'x' AS s, count(*) AS n FROM orders", [
      ['one', [], []],
      ['s', [], []],
      ['n', [], []],
    ]);
  });

  it('WHERE columns are filters, not sources', async () => {
    await assertLineage("SELECT sum(amount) AS revenue FROM orders WHERE status = 'paid'", [
      ['revenue', ['orders.amount'], ['orders.status']],
    ]);
  });

  it('a column used in WHERE and in the value is only a source', async () => {
    await assertLineage('SELECT amount FROM orders WHERE amount > 10 AND status IS NOT NULL', [
      ['amount', ['orders.amount'], ['orders.status']],
    ]);
  });

  it('GROUP BY keys filter the aggregates but not themselves', async () => {
    await assertLineage('SELECT status, sum(amount) AS revenue FROM orders GROUP BY status', [
      ['status', ['orders.status'], []],
      ['revenue', ['orders.amount'], ['orders.status']],
    ]);
  });

  it('GROUP BY a column that is not selected filters every output', async () => {
    await assertLineage('SELECT sum(amount) AS revenue FROM orders GROUP BY customer_id', [
      ['revenue', ['orders.amount'], ['orders.customer_id']],
    ]);
  });

  it('GROUP BY ALL groups by the outputs without aggregates', async () => {
    await assertLineage('SELECT status, upper(status) AS s2, count(id) AS n FROM orders GROUP BY ALL', [
      ['status', ['orders.status'], []],
      ['s2', ['orders.status'], []],
      ['n', ['orders.id'], ['orders.status']],
    ]);
  });

  it('GROUP BY position refers to the select list', async () => {
    await assertLineage('SELECT date_trunc(\'day\', created_at) AS day, sum(amount) AS revenue FROM orders GROUP BY 1', [
      ['day', ['orders.created_at'], []],
      ['revenue', ['orders.amount'], ['orders.created_at']],
    ]);
  });

  it('HAVING columns are filters', async () => {
    await assertLineage('SELECT customer_id FROM orders GROUP BY customer_id HAVING max(amount) > 100', [
      ['customer_id', ['orders.customer_id'], ['orders.amount']],
    ]);
  });

  it('WHERE may use a select-list alias', async () => {
    await assertLineage('SELECT id, amount * 2 AS doubled FROM orders WHERE doubled > 10', [
      ['id', ['orders.id'], ['orders.amount']],
      ['doubled', ['orders.amount'], []],
    ]);
  });

  it('a later select item may reuse an earlier alias', async () => {
    await assertLineage('SELECT amount * 2 AS doubled, doubled + id AS x FROM orders', [
      ['doubled', ['orders.amount'], []],
      ['x', ['orders.amount', 'orders.id'], []],
    ]);
  });

  it('an aggregate FILTER clause filters only that column', async () => {
    await assertLineage("SELECT sum(amount) FILTER (WHERE status = 'paid') AS paid, sum(amount) AS total FROM orders", [
      ['paid', ['orders.amount'], ['orders.status']],
      ['total', ['orders.amount'], []],
    ]);
  });

  it('CASE conditions are sources (as in sqlglot)', async () => {
    await assertLineage("SELECT CASE WHEN status = 'paid' THEN amount ELSE 0 END AS paid FROM orders", [
      ['paid', ['orders.amount', 'orders.status'], []],
    ]);
  });

  it('COALESCE, casts and NULLIF read their arguments', async () => {
    await assertLineage(
      'SELECT COALESCE(status, CAST(id AS VARCHAR)) AS s, amount::INTEGER AS a, NULLIF(customer_id, 0) AS c FROM orders',
      [
        ['s', ['orders.id', 'orders.status'], []],
        ['a', ['orders.amount'], []],
        ['c', ['orders.customer_id'], []],
      ],
    );
  });

  it('struct field access reads the struct column', async () => {
    await assertLineage('SELECT o.address.city AS city, address.zip AS zip FROM orders o', [
      ['city', ['orders.address'], []],
      ['zip', ['orders.address'], []],
    ]);
  });

  it('JSON operators read the JSON column', async () => {
    await assertLineage("SELECT payload->>'sku' AS sku, payload->'$.qty' AS qty FROM orders", [
      ['sku', ['orders.payload'], []],
      ['qty', ['orders.payload'], []],
    ]);
  });

  it('window function arguments, PARTITION BY and ORDER BY are all sources', async () => {
    await assertLineage(
      'SELECT sum(amount) OVER (PARTITION BY customer_id ORDER BY created_at) AS running, row_number() OVER (ORDER BY id) AS rn FROM orders',
      [
        ['running', ['orders.amount', 'orders.created_at', 'orders.customer_id'], []],
        ['rn', ['orders.id'], []],
      ],
    );
  });

  it('QUALIFY filters every column, also through an alias', async () => {
    await assertLineage(
      'SELECT id, row_number() OVER (PARTITION BY customer_id ORDER BY created_at DESC) AS rn FROM orders QUALIFY rn = 1',
      [
        ['id', ['orders.id'], ['orders.created_at', 'orders.customer_id']],
        ['rn', ['orders.created_at', 'orders.customer_id'], []],
      ],
    );
  });

  it('ORDER BY alone does not filter; with LIMIT it picks rows', async () => {
    await assertLineage('SELECT id FROM orders ORDER BY amount', [['id', ['orders.id'], []]]);
    await assertLineage('SELECT id FROM orders ORDER BY amount DESC LIMIT 5', [['id', ['orders.id'], ['orders.amount']]]);
  });

  it('ORDER BY an alias or position with LIMIT filters through that item', async () => {
    await assertLineage('SELECT id, amount * 2 AS a2 FROM orders ORDER BY a2 LIMIT 3', [
      ['id', ['orders.id'], ['orders.amount']],
      ['a2', ['orders.amount'], []],
    ]);
    await assertLineage('SELECT id, status FROM orders ORDER BY 2 LIMIT 3', [
      ['id', ['orders.id'], ['orders.status']],
      ['status', ['orders.status'], []],
    ]);
  });

  it('DISTINCT ON columns decide rows, and so does its ORDER BY', async () => {
    await assertLineage('SELECT DISTINCT ON (customer_id) id FROM orders ORDER BY customer_id, created_at DESC', [
      ['id', ['orders.id'], ['orders.created_at', 'orders.customer_id']],
    ]);
  });

  it('output names are lower-case and identifiers match case-insensitively', async () => {
    await assertLineage('SELECT AMOUNT, "Status" AS "Mixed" FROM ORDERS', [
      ['amount', ['orders.amount'], []],
      ['mixed', ['orders.status'], []],
    ]);
  });

  it('unaliased expressions get DuckDB-style names', async () => {
    const result = await lineage('SELECT sum(amount), amount + 1, count(*), o.id FROM orders o GROUP BY ALL');
    assert.deepEqual(result.columns.map((c) => c.column), ['sum(amount)', '(amount + 1)', 'count_star()', 'id']);
  });

  it('duplicate output names are kept in order', async () => {
    await assertLineage('SELECT id, customer_id AS id FROM orders', [
      ['id', ['orders.id'], []],
      ['id', ['orders.customer_id'], []],
    ]);
  });

  it('a positional reference #n reads the nth FROM column', async () => {
    await assertLineage('SELECT #3 AS third FROM orders', [['third', ['orders.amount'], []]]);
  });

  it('list lambdas: parameters are not columns, captured columns are', async () => {
    await assertLineage('SELECT list_transform(items, x -> x * amount) AS scaled FROM orders', [
      ['scaled', ['orders.amount', 'orders.items'], []],
    ]);
    await assertLineage('SELECT list_reduce(items, (acc, x) -> acc + x) AS total FROM orders', [
      ['total', ['orders.items'], []],
    ]);
  });

  it('UNNEST in the select list reads the list column', async () => {
    await assertLineage('SELECT id, unnest(items) AS item FROM orders', [
      ['id', ['orders.id'], []],
      ['item', ['orders.items'], []],
    ]);
  });
});

describe('lineage: names and schemas', () => {
  it('schema-qualified and catalog-qualified tables resolve (catalog ignored)', async () => {
    await assertLineage('SELECT main.orders.amount AS a, o2.total FROM memory.main.orders, raw.orders AS o2', [
      ['a', ['orders.amount'], []],
      ['total', ['raw.orders.total'], []],
    ]);
  });

  it('a table without schema resolves in the default schema', async () => {
    const result = await lineage('SELECT total FROM orders', undefined, 'raw');
    assert.deepEqual(compact(result, 'raw'), [['total', ['orders.total'], []]]);
    assert.deepEqual(result.tables, ['raw.orders']);
  });

  it('column aliases on a table rename its columns', async () => {
    await assertLineage('SELECT x.a, x.b FROM customers AS x(a, b)', [
      ['a', ['customers.id'], []],
      ['b', ['customers.name'], []],
    ]);
  });

  it('a self join keeps the two sides apart', async () => {
    await assertLineage(
      'SELECT a.id AS first_id, b.id AS second_id FROM orders a JOIN orders b ON a.customer_id = b.customer_id AND a.id < b.id',
      [
        ['first_id', ['orders.id'], ['orders.customer_id']],
        ['second_id', ['orders.id'], ['orders.customer_id']],
      ],
    );
  });

  it('tables lists every base table once, sorted, without CTE names', async () => {
    const result = await lineage(
      'WITH c AS (SELECT * FROM customers) SELECT c.name FROM c JOIN orders o ON o.customer_id = c.id, raw.orders r',
    );
    assert.deepEqual(result.tables, ['main.customers', 'main.orders', 'raw.orders']);
  });
});

describe('lineage: joins', () => {
  it('JOIN ON columns filter every output', async () => {
    await assertLineage('SELECT o.amount, c.name FROM orders o JOIN customers c ON o.customer_id = c.id', [
      ['amount', ['orders.amount'], ['customers.id', 'orders.customer_id']],
      ['name', ['customers.name'], ['customers.id', 'orders.customer_id']],
    ]);
  });

  it('an unqualified USING column flows from both sides; a qualified one from its side', async () => {
    await assertLineage('SELECT id, o.id AS oid, method FROM orders o JOIN payments p USING (id)', [
      ['id', ['orders.id', 'payments.id'], []],
      ['oid', ['orders.id'], ['payments.id']],
      ['method', ['payments.method'], ['orders.id', 'payments.id']],
    ]);
  });

  it('NATURAL JOIN merges the common columns', async () => {
    // orders and payments share id and amount.
    await assertLineage('SELECT id, amount, method FROM orders NATURAL JOIN payments', [
      ['id', ['orders.id', 'payments.id'], ['orders.amount', 'payments.amount']],
      ['amount', ['orders.amount', 'payments.amount'], ['orders.id', 'payments.id']],
      ['method', ['payments.method'], ['orders.amount', 'orders.id', 'payments.amount', 'payments.id']],
    ]);
  });

  it('* over a USING join shows the merged column once, where the left side had it', async () => {
    const result = await assertLineage('SELECT * FROM customers c JOIN payments p USING (id)', [
      ['id', ['customers.id', 'payments.id'], []],
      ['name', ['customers.name'], ['customers.id', 'payments.id']],
      ['region', ['customers.region'], ['customers.id', 'payments.id']],
      ['tier', ['customers.tier'], ['customers.id', 'payments.id']],
      ['order_id', ['payments.order_id'], ['customers.id', 'payments.id']],
      ['amount', ['payments.amount'], ['customers.id', 'payments.id']],
      ['method', ['payments.method'], ['customers.id', 'payments.id']],
    ]);
    assert.equal(result.columns.length, 7);
  });

  it('LEFT, ASOF and POSITIONAL joins', async () => {
    await assertLineage('SELECT e.kind, o.amount FROM events e ASOF JOIN orders o ON e.user_id = o.customer_id AND e.ts >= o.created_at', [
      ['kind', ['events.kind'], ['events.ts', 'events.user_id', 'orders.created_at', 'orders.customer_id']],
      ['amount', ['orders.amount'], ['events.ts', 'events.user_id', 'orders.created_at', 'orders.customer_id']],
    ]);
    await assertLineage('SELECT c.name, e.kind FROM customers c POSITIONAL JOIN events e', [
      ['name', ['customers.name'], []],
      ['kind', ['events.kind'], []],
    ]);
    await assertLineage('SELECT c.name, o.amount FROM customers c LEFT JOIN orders o ON o.customer_id = c.id', [
      ['name', ['customers.name'], ['customers.id', 'orders.customer_id']],
      ['amount', ['orders.amount'], ['customers.id', 'orders.customer_id']],
    ]);
  });

  it('a LATERAL subquery reads the columns before it', async () => {
    await assertLineage('SELECT o.id, l.doubled FROM orders o, LATERAL (SELECT o.amount * 2 AS doubled) l', [
      ['id', ['orders.id'], []],
      ['doubled', ['orders.amount'], []],
    ]);
  });

  it('UNNEST in FROM: the unnested column reads the list', async () => {
    await assertLineage('SELECT o.id, u.item FROM orders o, unnest(o.items) AS u(item)', [
      ['id', ['orders.id'], []],
      ['item', ['orders.items'], []],
    ]);
  });

  it('generated rows (range, VALUES) have no sources', async () => {
    await assertLineage('SELECT r.range AS n FROM range(3) r', [['n', [], []]]);
    await assertLineage("SELECT v.k, v.label FROM (VALUES (1, 'a'), (2, 'b')) v(k, label)", [
      ['k', [], []],
      ['label', [], []],
    ]);
  });
});

describe('lineage: stars', () => {
  it('* expands every column of every relation in order', async () => {
    await assertLineage('SELECT * FROM customers', [
      ['id', ['customers.id'], []],
      ['name', ['customers.name'], []],
      ['region', ['customers.region'], []],
      ['tier', ['customers.tier'], []],
    ]);
  });

  it('t.* expands one relation', async () => {
    await assertLineage('SELECT p.*, c.name FROM payments p JOIN customers c ON c.id = p.id', [
      ['id', ['payments.id'], ['customers.id']],
      ['order_id', ['payments.order_id'], ['customers.id', 'payments.id']],
      ['amount', ['payments.amount'], ['customers.id', 'payments.id']],
      ['method', ['payments.method'], ['customers.id', 'payments.id']],
      ['name', ['customers.name'], ['customers.id', 'payments.id']],
    ]);
  });

  it('* EXCLUDE drops columns', async () => {
    await assertLineage('SELECT * EXCLUDE (name, tier) FROM customers', [
      ['id', ['customers.id'], []],
      ['region', ['customers.region'], []],
    ]);
  });

  it('* REPLACE computes a column in place', async () => {
    await assertLineage('SELECT * REPLACE (upper(name) || region AS name) FROM customers', [
      ['id', ['customers.id'], []],
      ['name', ['customers.name', 'customers.region'], []],
      ['region', ['customers.region'], []],
      ['tier', ['customers.tier'], []],
    ]);
  });

  it('* RENAME renames in place', async () => {
    await assertLineage('SELECT * RENAME (name AS customer_name) FROM customers', [
      ['id', ['customers.id'], []],
      ['customer_name', ['customers.name'], []],
      ['region', ['customers.region'], []],
      ['tier', ['customers.tier'], []],
    ]);
  });

  it("COLUMNS('regex') and COLUMNS(lambda) pick columns by name", async () => {
    await assertLineage("SELECT COLUMNS('^(id|tier)$') FROM customers", [
      ['id', ['customers.id'], []],
      ['tier', ['customers.tier'], []],
    ]);
    await assertLineage("SELECT COLUMNS(c -> c LIKE 're%' OR c = 'name') FROM customers", [
      ['name', ['customers.name'], []],
      ['region', ['customers.region'], []],
    ]);
  });

  it('COLUMNS inside an expression yields one output per column', async () => {
    await assertLineage("SELECT max(COLUMNS('amount|status')) FROM orders", [
      ['amount', ['orders.amount'], []],
      ['status', ['orders.status'], []],
    ]);
  });

  it('* LIKE keeps matching columns', async () => {
    await assertLineage("SELECT * LIKE '%id' FROM orders", [
      ['id', ['orders.id'], []],
      ['customer_id', ['orders.customer_id'], []],
    ]);
  });
});

describe('lineage: CTEs and subqueries', () => {
  it('a CTE is walked through to base columns, with its filters', async () => {
    await assertLineage(
      "WITH paid AS (SELECT customer_id, amount FROM orders WHERE status = 'paid') SELECT customer_id, sum(amount) AS revenue FROM paid GROUP BY customer_id",
      [
        ['customer_id', ['orders.customer_id'], ['orders.status']],
        ['revenue', ['orders.amount'], ['orders.customer_id', 'orders.status']],
      ],
    );
  });

  it('a CTE may read an earlier CTE', async () => {
    await assertLineage(
      'WITH a AS (SELECT id, amount FROM orders), b AS (SELECT id, amount * 2 AS a2 FROM a WHERE amount > 0) SELECT a2 FROM b',
      [['a2', ['orders.amount'], []]],
    );
  });

  it('CTE column aliases rename its columns', async () => {
    await assertLineage('WITH c(k, v) AS (SELECT id, name FROM customers) SELECT v, k FROM c', [
      ['v', ['customers.name'], []],
      ['k', ['customers.id'], []],
    ]);
  });

  it('a derived table with column aliases', async () => {
    await assertLineage('SELECT t.total FROM (SELECT customer_id, sum(amount) FROM orders GROUP BY customer_id) AS t(cid, total)', [
      ['total', ['orders.amount'], ['orders.customer_id']],
    ]);
  });

  it('a column of a derived table does not pick up filters of its siblings', async () => {
    await assertLineage(
      "SELECT s.paid FROM (SELECT sum(amount) FILTER (WHERE status = 'paid') AS paid, count(id) AS n FROM orders) s",
      [['paid', ['orders.amount'], ['orders.status']]],
    );
  });

  it('a correlated scalar subquery in SELECT: its value is a source, its predicate a filter', async () => {
    await assertLineage(
      'SELECT c.name, (SELECT max(o.amount) FROM orders o WHERE o.customer_id = c.id) AS biggest FROM customers c',
      [
        ['name', ['customers.name'], []],
        ['biggest', ['orders.amount'], ['customers.id', 'orders.customer_id']],
      ],
    );
  });

  it('IN (subquery) in WHERE: everything in it filters', async () => {
    await assertLineage(
      "SELECT name FROM customers WHERE id IN (SELECT customer_id FROM orders WHERE status = 'open')",
      [['name', ['customers.name'], ['customers.id', 'orders.customer_id', 'orders.status']]],
    );
  });

  it('correlated EXISTS in WHERE filters', async () => {
    await assertLineage(
      'SELECT c.name FROM customers c WHERE NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = c.id)',
      [['name', ['customers.name'], ['customers.id', 'payments.order_id']]],
    );
  });

  it('EXISTS in a value is a filter of that column, not a source', async () => {
    await assertLineage(
      'SELECT EXISTS (SELECT * FROM payments p WHERE p.order_id = o.id) AS has_payment FROM orders o',
      [['has_payment', [], ['orders.id', 'payments.order_id']]],
    );
  });

  it('a CTE shadows a table of the same name', async () => {
    const result = await assertLineage('WITH orders AS (SELECT id AS oid FROM customers) SELECT oid FROM orders', [
      ['oid', ['customers.id'], []],
    ]);
    assert.deepEqual(result.tables, ['main.customers']);
  });

  it('a WITH inside a subquery sees the outer CTEs', async () => {
    await assertLineage(
      "WITH paid AS (SELECT * FROM orders WHERE status = 'paid') SELECT x.total FROM (WITH agg AS (SELECT customer_id, sum(amount) AS total FROM paid GROUP BY customer_id) SELECT total FROM agg) x",
      [['total', ['orders.amount'], ['orders.customer_id', 'orders.status']]],
    );
  });

  it('filters travel through several levels', async () => {
    await assertLineage(
      "WITH a AS (SELECT id, amount FROM orders WHERE status = 'paid'), b AS (SELECT a.id, a.amount FROM a JOIN payments p ON p.order_id = a.id WHERE p.method = 'card') SELECT amount FROM b WHERE id > 10",
      [['amount', ['orders.amount'], ['orders.id', 'orders.status', 'payments.method', 'payments.order_id']]],
    );
  });

  it('GROUP BY a select-list alias groups by its expression', async () => {
    await assertLineage('SELECT upper(status) AS s, count(*) AS n FROM orders GROUP BY s', [
      ['s', ['orders.status'], []],
      ['n', [], ['orders.status']],
    ]);
  });

  it('a correlated subquery may read a column of an outer derived table', async () => {
    await assertLineage(
      'SELECT t.cid, (SELECT count(*) FROM payments p WHERE p.order_id = t.max_order) AS n FROM (SELECT customer_id AS cid, max(id) AS max_order FROM orders GROUP BY 1) t',
      [
        ['cid', ['orders.customer_id'], []],
        ['n', [], ['orders.customer_id', 'orders.id', 'payments.order_id']],
      ],
    );
  });

  it('recursive CTEs: the anchor and the step both flow', async () => {
    await assertLineage(
      'WITH RECURSIVE walk(id, depth) AS (SELECT id, 0 FROM customers UNION ALL SELECT w.id, w.depth + tier FROM walk w JOIN customers c ON c.id = w.id WHERE w.depth < 3) SELECT id, depth FROM walk',
      [
        // depth (from tier) bounds the recursion, so tier decides which ids come out.
        ['id', ['customers.id'], ['customers.tier']],
        ['depth', ['customers.tier'], ['customers.id']],
      ],
    );
  });
});

describe('lineage: set operations', () => {
  it('UNION ALL maps by position, names from the first branch, sources from all', async () => {
    await assertLineage('SELECT id, amount AS value FROM orders UNION ALL SELECT order_id, amount FROM payments', [
      ['id', ['orders.id', 'payments.order_id'], []],
      ['value', ['orders.amount', 'payments.amount'], []],
    ]);
  });

  it('each branch keeps its own filters', async () => {
    await assertLineage(
      "SELECT id FROM orders WHERE status = 'x' UNION SELECT id FROM customers WHERE region = 'eu'",
      [['id', ['customers.id', 'orders.id'], ['customers.region', 'orders.status']]],
    );
  });

  it('UNION BY NAME maps by name', async () => {
    await assertLineage('SELECT id, name FROM customers UNION BY NAME SELECT method AS name, order_id AS extra FROM payments', [
      ['id', ['customers.id'], []],
      ['name', ['customers.name', 'payments.method'], []],
      ['extra', ['payments.order_id'], []],
    ]);
  });

  it('INTERSECT and EXCEPT take sources from all branches', async () => {
    await assertLineage('SELECT customer_id FROM orders EXCEPT SELECT id FROM customers INTERSECT SELECT user_id FROM events', [
      ['customer_id', ['customers.id', 'events.user_id', 'orders.customer_id'], []],
    ]);
  });

  it('ORDER BY with LIMIT on a set operation filters', async () => {
    await assertLineage('SELECT id, amount FROM orders UNION ALL SELECT id, amount FROM payments ORDER BY amount DESC LIMIT 10', [
      ['id', ['orders.id', 'payments.id'], ['orders.amount', 'payments.amount']],
      ['amount', ['orders.amount', 'payments.amount'], []],
    ]);
  });
});

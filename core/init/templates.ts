// The projects `sluice init` writes. Each template is a working project: `sluice ingest`, `sluice apply` and
// `sluice test` succeed on it as created. `demo` generates its data offline; `rest` reads a JSON API whose
// URL is in sluice.yaml (ctx.config.url); `empty` is the skeleton alone.

export const TEMPLATES = ['demo', 'rest', 'empty'] as const;
export type TemplateName = (typeof TEMPLATES)[number];

export interface Template {
  files: Record<string, string>;
  /** What to run next, in order. */
  next: string[];
}

const GITIGNORE = `# The warehouse and what runs leave behind: rebuilt by sluice ingest and sluice apply.
*.duckdb
*.duckdb.wal
.sluice/
# Secrets (sluice.yaml lists their names; values come from the environment or this file).
.env
`;

const POSITIVE_AMOUNT_AUDIT = `-- Fails the build of a model whose amount is zero or negative.
AUDIT (name positive_amount);
SELECT * FROM @this_model WHERE amount <= 0
`;

export function template(name: TemplateName, projectName: string): Template {
  if (name === 'empty') return emptyTemplate(projectName);
  return name === 'rest' ? restTemplate(projectName) : demoTemplate(projectName);
}

function emptyTemplate(projectName: string): Template {
  return {
    files: {
      'sluice.yaml': `name: ${projectName}\nwarehouse: warehouse.duckdb\n`,
      '.gitignore': GITIGNORE,
      'sources/.gitkeep': '',
      'models/.gitkeep': '',
      'tests/.gitkeep': '',
    },
    next: ['sluice sources', 'sluice models', 'sluice plan'],
  };
}

function demoTemplate(projectName: string): Template {
  return {
    files: {
      'sluice.yaml': `name: ${projectName}
warehouse: warehouse.duckdb
sources:
  shop:
    resources:
      orders: true
`,
      '.gitignore': GITIGNORE,
      'sources/shop.ts': `// Orders of a small shop, generated here so the project works offline: replace rows() with calls to your API.
// Guest orders have no customer (customer__id is NULL for them); only some orders carry a coupon.
import { defineSource } from 'sluice';

const START = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;

export default defineSource({
  name: 'shop',
  resources: [
    {
      name: 'orders',
      primaryKey: 'id',
      writeDisposition: 'merge',
      rows: () =>
        Array.from({ length: 60 }, (_, i) => {
          const id = i + 1;
          const customerId = 100 + (id % 9);
          return {
            id,
            customer: id % 6 === 0 ? null : { id: customerId, name: \`Customer \${customerId}\` },
            status: ['placed', 'shipped', 'cancelled'][id % 3],
            amount: Math.round(((id % 11) * 4.25 + 5) * 100) / 100,
            coupon: id % 5 === 0 ? \`SPRING\${id}\` : undefined,
            orderedAt: new Date(START + Math.floor(i / 6) * DAY + id * 60_000).toISOString(),
          };
        }),
    },
  ],
});
`,
      'models/staging/orders.sql': `-- One row per order, as the shop sends it, with readable names.
MODEL (
  name staging.orders,
  kind VIEW,
  audits (
    not_null(columns := (order_id, amount)),
    positive_amount
  )
);

SELECT
  id AS order_id,
  customer__id AS customer_id,
  status,
  amount,
  coupon,
  CAST(ordered_at AS DATE) AS order_date
FROM shop.orders
`,
      'models/marts/daily_revenue.sql': `-- Revenue per day, cancelled orders left out.
MODEL (
  name analytics.daily_revenue,
  kind FULL,
  grain order_date
);

SELECT
  order_date,
  sum(amount) AS revenue,
  count(*) AS orders,
  count(customer_id) AS orders_with_customer
FROM staging.orders
WHERE status <> 'cancelled'
GROUP BY order_date
`,
      'audits/positive_amount.sql': POSITIVE_AMOUNT_AUDIT,
      'tests/test_daily_revenue.yaml': `# Cancelled orders do not count; guest orders count as orders but not as orders with a customer.
test_daily_revenue_leaves_out_cancelled_orders:
  model: analytics.daily_revenue
  inputs:
    staging.orders:
      rows:
        - { order_id: 1, customer_id: 101, status: placed, amount: 10.0, order_date: 2024-01-01 }
        - { order_id: 2, customer_id: null, status: shipped, amount: 5.5, order_date: 2024-01-01 }
        - { order_id: 3, customer_id: 101, status: cancelled, amount: 99.0, order_date: 2024-01-01 }
        - { order_id: 4, customer_id: 102, status: placed, amount: 7.0, order_date: 2024-01-02 }
  outputs:
    query:
      rows:
        - { order_date: 2024-01-01, revenue: 15.5, orders: 2, orders_with_customer: 1 }
        - { order_date: 2024-01-02, revenue: 7.0, orders: 1, orders_with_customer: 1 }
`,
    },
    next: ['sluice ingest shop', 'sluice apply', 'sluice query "SELECT * FROM analytics.daily_revenue"'],
  };
}

function restTemplate(projectName: string): Template {
  return {
    files: {
      'sluice.yaml': `name: ${projectName}
warehouse: warehouse.duckdb
sources:
  api:
    resources:
      todos: true
    config:
      # A JSON API answering an array of items, or { items: [...], next: URL } page by page.
      url: https://jsonplaceholder.typicode.com/todos
`,
      '.gitignore': GITIGNORE,
      'sources/api.ts': `// Reads a JSON API with fetch. The URL comes from sluice.yaml (sources.api.config.url); a page is either an
// array of items or { items, next }, and next pages are followed until there is none.
import { defineSource, SluiceError } from 'sluice';

export default defineSource({
  name: 'api',
  resources: [
    {
      name: 'todos',
      primaryKey: 'id',
      writeDisposition: 'merge',
      async *rows(ctx) {
        let url: string | undefined = String(ctx.config.url ?? '');
        if (!url) throw new SluiceError('sluice.yaml: set sources.api.config.url to the API to read');
        while (url) {
          const response = await fetch(url, { headers: { accept: 'application/json' } });
          if (!response.ok) throw new SluiceError(\`GET \${url}: HTTP \${response.status}\`);
          const page = (await response.json()) as unknown;
          if (Array.isArray(page)) {
            yield page;
            url = undefined;
          } else {
            const { items, next } = page as { items?: unknown[]; next?: string | null };
            yield items ?? [];
            url = next ? new URL(next, url).toString() : undefined;
          }
        }
      },
    },
  ],
});
`,
      'models/staging/todos.sql': `-- One row per todo, as the API sends it.
MODEL (
  name staging.todos,
  kind VIEW,
  audits (not_null(columns := (todo_id)))
);

SELECT
  id AS todo_id,
  user_id,
  title,
  completed
FROM api.todos
`,
      'models/marts/open_todos.sql': `-- Open todos per user.
MODEL (
  name analytics.open_todos,
  kind FULL,
  grain user_id
);

SELECT user_id, count(*) AS open_todos
FROM staging.todos
WHERE NOT completed
GROUP BY user_id
`,
      'tests/test_open_todos.yaml': `# Completed todos do not count.
test_open_todos_counts_open_ones:
  model: analytics.open_todos
  inputs:
    staging.todos:
      rows:
        - { todo_id: 1, user_id: 1, title: a, completed: false }
        - { todo_id: 2, user_id: 1, title: b, completed: true }
        - { todo_id: 3, user_id: 2, title: c, completed: false }
  outputs:
    query:
      rows:
        - { user_id: 1, open_todos: 1 }
        - { user_id: 2, open_todos: 1 }
`,
    },
    next: ['sluice ingest api', 'sluice apply', 'sluice query "SELECT * FROM analytics.open_todos"'],
  };
}

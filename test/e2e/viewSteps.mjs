// The Sluice views end to end, on the warehouse the earlier steps left (every demo source loaded, prod and dev
// applied): the Warehouse view lists the project's schemas first and folds Sluice's own into a collapsed
// "internal" group; the Schemas view shows a source's tables; the Environments view says when dev was
// applied and what it shows differently from prod; the Health view judges prod's resources and models;
// after a run, the result's "Show Tables" reveals the loaded tables in the Warehouse view, and a table's
// "Preview Rows" shows its rows.

const HEALTH_ORDER = ['failing', 'stale', 'unknown', 'fresh'];
const USER_SCHEMAS = ['analytics', 'github', 'intermediate', 'legacy_crm', 'seeds', 'shop', 'staging'];

export async function viewSteps({ workbench, snap }) {
  // By command: the activity bar item toggles, and the side bar may be open or closed after the plan panel.
  await workbench.runCommand('View: Show Sluice');
  // Room for the views under test: the others fold away.
  await workbench.setPaneExpanded('Sources', false);
  await workbench.setPaneExpanded('Models', false);
  await workbench.setPaneExpanded('Warehouse', true);

  // The view reads the warehouse when it opens; a read that met a busy file is simply asked for again.
  const top = await rowsUntil(workbench, 'Warehouse', (rows) => rows.some((r) => r.label === 'internal'), 'Sluice: Refresh Warehouse');
  const level1 = top.filter((r) => r.level === 1);
  const labels = level1.map((r) => r.label);
  if (labels.join() !== [...USER_SCHEMAS, 'internal'].join()) {
    throw new Error(`the Warehouse view lists ${labels.join(', ')}; expected the user schemas ${USER_SCHEMAS.join(', ')}, then internal`);
  }
  const internal = level1[level1.length - 1];
  if (internal.expanded !== 'false') throw new Error(`the internal group is not collapsed (aria-expanded ${internal.expanded})`);
  await snap('warehouse-view');
  await workbench.expandTreeRow('Warehouse', 'internal');
  const expanded = await rowsUntil(workbench, 'Warehouse', (rows) => rows.some((r) => r.level === 2));
  const inside = childrenOf(expanded, 'internal').map((r) => r.label);
  for (const expected of ['analytics__dev', 'sluice__analytics', '_sluice']) {
    if (!inside.includes(expected)) throw new Error(`the internal group lacks ${expected}: ${inside.join(', ')}`);
  }
  await snap('warehouse-internal');
  await workbench.setPaneExpanded('Warehouse', false);

  await workbench.setPaneExpanded('Schemas', true);
  await rowsUntil(workbench, 'Schemas', (rows) => rows.some((r) => r.label === 'shop'), 'Sluice: Refresh Schemas');
  await workbench.expandTreeRow('Schemas', 'shop');
  const tables = await rowsUntil(workbench, 'Schemas', (rows) => rows.some((r) => r.level === 2 && r.label === 'orders__items'), 'Sluice: Refresh Schemas');
  const shopTables = childrenOf(tables, 'shop').map((r) => r.label);
  if (shopTables.join() !== 'customers,orders,orders__items') throw new Error(`the Schemas view shows shop's tables as ${shopTables.join(', ')}`);
  await snap('schemas-view');
  await workbench.setPaneExpanded('Schemas', false);

  // Environments: when each was applied, and dev expands to the model it shows differently from prod.
  await workbench.setPaneExpanded('Environments', true);
  const envs = await rowsUntil(workbench, 'Environments', (rows) => rows.some((r) => r.label === 'dev'), 'Sluice: Refresh Environments');
  const dev = envs.find((r) => r.label === 'dev');
  if (!/applied (just now|\d+ min ago) · 1 differs from prod/.test(dev.description)) throw new Error(`the dev environment is described as "${dev.description}"`);
  await workbench.expandTreeRow('Environments', 'dev');
  const overrides = childrenOf(await rowsUntil(workbench, 'Environments', (rows) => rows.some((r) => r.level === 2)), 'dev');
  if (overrides.map((r) => `${r.label}: ${r.description}`).join() !== 'analytics.daily_revenue: changed') {
    throw new Error(`dev lists ${overrides.map((r) => `${r.label}: ${r.description}`).join(', ')} as differing from prod`);
  }
  await snap('environments-view');
  await workbench.setPaneExpanded('Environments', false);

  // Health of prod: every resource with its last load and rows per load, every model with its build, the
  // least healthy first in each group.
  await workbench.setPaneExpanded('Health', true);
  const health = await rowsUntil(workbench, 'Health', (rows) => rows.some((r) => r.label === 'shop.orders') && rows.some((r) => r.label === 'analytics.daily_revenue'), 'Sluice: Refresh Health');
  const shopOrders = health.find((r) => r.label === 'shop.orders');
  if (!/^fresh · (just now|\d+ (s|min) ago) · 40 rows [▁▂▃▄▅▆▇█]+$/.test(shopOrders.description)) throw new Error(`the Health view describes shop.orders as "${shopOrders.description}"`);
  const dailyHealth = health.find((r) => r.label === 'analytics.daily_revenue');
  if (!/^(fresh|stale|failing|unknown) · built (just now|\d+ (s|min) ago)/.test(dailyHealth.description)) throw new Error(`the Health view describes analytics.daily_revenue as "${dailyHealth.description}"`);
  for (const group of ['Sources', 'Models']) {
    const ranks = childrenOf(health, group).map((r) => HEALTH_ORDER.indexOf(r.description.split(' · ')[0]));
    if (ranks.some((rank, i) => rank < 0 || (i > 0 && rank < ranks[i - 1]))) throw new Error(`the Health view's ${group} are not listed least healthy first: ${childrenOf(health, group).map((r) => `${r.label} ${r.description}`).join(' | ')}`);
  }
  await snap('health-view');
  await workbench.setPaneExpanded('Health', false);

  // A run's result offers Show Tables: the Warehouse view opens on the source's schema with a table selected.
  await workbench.runCommand('Sluice: Run Source to DuckDB');
  await workbench.pickQuickItem('shop');
  await workbench.notification('Sluice: loaded shop');
  await workbench.clickNotificationButton('Sluice: loaded shop', 'Show Tables');
  const revealed = await rowsUntil(workbench, 'Warehouse', (rows) => rows.some((r) => r.label === 'shop' && r.expanded === 'true') && rows.some((r) => r.selected), undefined, 30_000);
  const selected = revealed.find((r) => r.selected);
  if (!['customers', 'orders', 'orders__items'].includes(selected?.label ?? '')) throw new Error(`Show Tables selected ${selected?.label} rather than a table of shop`);
  await snap('show-tables');

  // The table's context menu previews its rows in a read-only webview.
  await workbench.treeRowContextCommand('Warehouse', 'customers', 'Preview Rows');
  const preview = await workbench.webviewWith('#rows tbody tr');
  await preview.locator('#status', { hasText: 'All 25 rows. Read-only.' }).waitFor({ state: 'visible', timeout: 30_000 });
  const previewRows = await preview.locator('#rows tbody tr').count();
  const header = await preview.locator('#rows thead th').allInnerTexts();
  if (previewRows !== 25 || !header.some((h) => h.startsWith('name'))) throw new Error(`the preview of shop.customers shows ${previewRows} rows, columns ${header.join(', ')}`);
  await snap('preview');
  return { warehouseSchemas: labels, schemaTables: shopTables, devDescription: dev.description, previewRows };
}

/** The rows under `parent` (the rows after it one level deeper, up to the next row at its level). */
function childrenOf(rows, parent) {
  const at = rows.findIndex((r) => r.label === parent);
  const out = [];
  for (const row of rows.slice(at + 1)) {
    if (row.level <= rows[at].level) break;
    if (row.level === rows[at].level + 1) out.push(row);
  }
  return out;
}

/** The tree's rows once `done` holds, running the refresh command now and then while it does not. */
async function rowsUntil(workbench, pane, done, refreshCommand, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let refreshed = Date.now();
  let rows = [];
  while (Date.now() < deadline) {
    rows = await workbench.treeRows(pane);
    if (done(rows)) return rows;
    if (refreshCommand && Date.now() - refreshed > 5_000) {
      await workbench.runCommand(refreshCommand);
      refreshed = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the ${pane} view never showed what was expected; it shows: ${rows.map((r) => `${'  '.repeat(r.level - 1)}${r.label} ${r.description}`).join(' | ')}`);
}

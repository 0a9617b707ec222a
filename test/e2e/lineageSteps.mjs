// The lineage panel end to end, in a side split of a 1280 px window (the editor on the left, the panel on
// the right, each about 470 px wide): every table and column node of daily_revenue's graphs lies inside the
// panel's viewport and inside its canvas, each label inside its box; the time until the graphs appear is
// recorded (seen from the test, and as the extension logs it). Then search centres a node, zoom and Fit
// change what is shown, the column under the cursor shows its value flow and, switched on, its row
// filters (all in view again), and a click on a node opens its model, which the panel then follows.

import fs from 'node:fs';

const SIDE_SPLIT_WINDOW = { width: 1280, height: 800 };
/** daily_revenue and everything upstream of it in the demo project. */
const DAILY_REVENUE_TABLES = [
  'analytics.daily_revenue', 'intermediate.orders_enriched', 'staging.orders', 'staging.order_items', 'staging.customers',
  'seeds.order_statuses', 'shop.orders', 'shop.orders__items', 'shop.customers', 'legacy_crm.contacts',
];
const DAILY_REVENUE_COLUMNS = ['order_date', 'revenue', 'order_count', 'customer_count', 'amount', 'customer_id'];
/** Rounding of the browser's boxes. */
const TOLERANCE = 0.75;

export async function lineagePanelSteps({ workbench, server, snap }) {
  const page = workbench.page;
  const previousViewport = page.viewportSize();
  await page.setViewportSize(SIDE_SPLIT_WINDOW);
  try {
    await workbench.runCommand('Sluice: Show Lineage');
    const chosen = Date.now();
    const panel = workbench.webview();
    await panel.locator('#models g.node').first().waitFor({ state: 'visible', timeout: 60_000 });
    const seenMs = Date.now() - chosen;
    await panel.locator('#title', { hasText: 'Lineage of analytics.daily_revenue' }).waitFor({ state: 'visible', timeout: 10_000 });
    await panel.locator('#columns g.node', { hasText: 'revenue' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await snap('lineage');

    await assertSideBySide(workbench, 'daily_revenue.sql');
    const tables = await panel.locator('#models g.node text.label').allTextContents();
    for (const expected of DAILY_REVENUE_TABLES) {
      if (!tables.includes(expected)) throw new Error(`the lineage panel lacks ${expected}: ${tables.join(', ')}`);
    }
    const columns = await panel.locator('#columns g.node text.label').allTextContents();
    for (const expected of DAILY_REVENUE_COLUMNS) {
      if (!columns.includes(expected)) throw new Error(`the column graph lacks ${expected}: ${columns.join(', ')}`);
    }
    const placed = await assertAllShown(panel, 'when the panel opened');
    const firstPaint = await loggedFirstPaint(server);

    // Search: the current match is centred in its canvas, readable; Escape fits the graph again.
    const search = panel.locator('#search');
    await search.fill('staging.orders');
    await panel.locator('#search-result', { hasText: /^1 of \d+$/ }).waitFor({ state: 'visible', timeout: 5_000 });
    const found = await panel.locator('#models g.node.current').evaluate((g) => {
      const node = g.getBoundingClientRect();
      const canvas = g.closest('.canvas').getBoundingClientRect();
      return { label: g.querySelector('text.label').textContent, dx: node.x + node.width / 2 - (canvas.x + canvas.width / 2), dy: node.y + node.height / 2 - (canvas.y + canvas.height / 2), width: node.width };
    });
    if (found.label !== 'staging.orders' || Math.abs(found.dx) > 2 || Math.abs(found.dy) > 2) throw new Error(`search did not centre staging.orders: ${JSON.stringify(found)}`);
    await snap('lineage-search');
    await search.press('Escape');
    await assertAllShown(panel, 'after the search was cleared');

    // Zoom in with the button: fewer drawing units in the same canvas; Fit shows everything again.
    const viewBoxWidth = async () => Number((await panel.locator('#models svg.graph').getAttribute('viewBox')).split(' ')[2]);
    const fitted = await viewBoxWidth();
    await panel.locator('#models-section button[data-zoom="in"]').click();
    const zoomed = await viewBoxWidth();
    if (!(zoomed < fitted * 0.9)) throw new Error(`zooming in did not narrow the view: ${fitted} → ${zoomed}`);
    await panel.locator('#models-section button[data-zoom="fit"]').click();
    if (Math.abs((await viewBoxWidth()) - fitted) > 0.5) throw new Error('Fit did not return to the fitted view');

    // The column under the cursor: only its value flow at first; the switch adds the dashed row filters.
    await workbench.clickWord('daily_revenue.sql', 'AS revenue', 'revenue');
    await panel.locator('#columns-title', { hasText: 'Column analytics.daily_revenue.revenue' }).waitFor({ state: 'visible', timeout: 30_000 });
    const valueFlow = (await panel.locator('#columns g.node text.label').allTextContents()).sort();
    if (valueFlow.join() !== 'amount,amount,revenue,total') throw new Error(`the value flow of revenue shows ${valueFlow.join(', ')}`);
    if ((await panel.locator('#columns path.edge-filter').count()) > 0) throw new Error('row filters are drawn before they are switched on');
    const rowFilters = Number(/\((\d+)\)/.exec(await panel.locator('#row-filter-count').innerText())?.[1]);
    if (!(rowFilters > 0)) throw new Error('the row-filter switch counts no filter edges for revenue');
    await panel.locator('#row-filters').check();
    await panel.locator('#columns path.edge-filter').nth(rowFilters - 1).waitFor({ state: 'attached', timeout: 30_000 });
    if ((await panel.locator('#columns path.edge-filter').count()) !== rowFilters) throw new Error(`not ${rowFilters} dashed edges`);
    await assertAllShown(panel, 'with the row filters of revenue shown');
    await snap('lineage-row-filters');

    // A click on a node opens its model; the panel follows the editor.
    await panel.locator('#models g.node', { hasText: 'intermediate.orders_enriched' }).first().click();
    await workbench.activeTab('orders_enriched.sql').waitFor({ state: 'visible', timeout: 30_000 });
    await workbench.editorLine('name intermediate.orders_enriched').waitFor({ state: 'visible', timeout: 10_000 });
    await panel.locator('#title', { hasText: 'Lineage of intermediate.orders_enriched' }).waitFor({ state: 'visible', timeout: 30_000 });
    await snap('lineage-node-opened');
    return { lineageSeenMs: seenMs, lineageFirstPaintMs: firstPaint.drawnMs, lineageFirstPaint: firstPaint.line, lineageNodes: placed, lineagePanelWidth: placed.viewport.width };
  } finally {
    await page.setViewportSize(previousViewport);
  }
}

/** The webview stands beside the editor of `file`, in the right half of the window. */
async function assertSideBySide(workbench, file) {
  const page = workbench.page;
  const editor = await page.locator('.editor-group-container', { has: page.locator('.tabs-container .tab', { hasText: file }) }).first().boundingBox();
  const webview = await page.locator('iframe.webview.ready').last().boundingBox();
  if (!editor || !webview) throw new Error('the editor or the lineage panel is not on screen');
  const width = page.viewportSize().width;
  if (!(webview.x >= editor.x + editor.width - 2 && webview.width < width * 0.5 && editor.width < width * 0.5)) {
    throw new Error(`the editor (${JSON.stringify(editor)}) and the panel (${JSON.stringify(webview)}) are not side by side`);
  }
}

/**
 * Every node and table box of both graphs inside the webview's viewport and inside its canvas (which
 * clips), every label inside its box; returns how many were checked and the viewport.
 */
async function assertAllShown(panel, when) {
  const report = await panel.locator('body').evaluate((body, tolerance) => {
    const viewport = { x: 0, y: 0, width: window.innerWidth, height: window.innerHeight };
    const within = (inner, outer) =>
      inner.x >= outer.x - tolerance && inner.y >= outer.y - tolerance && inner.x + inner.width <= outer.x + outer.width + tolerance && inner.y + inner.height <= outer.y + outer.height + tolerance;
    const problems = [];
    let nodes = 0;
    for (const svg of body.querySelectorAll('svg.graph')) {
      const canvas = svg.closest('.canvas').getBoundingClientRect();
      if (!within(canvas, viewport)) problems.push(`canvas #${svg.closest('.canvas').id} ${JSON.stringify(canvas)} outside the viewport`);
      for (const g of svg.querySelectorAll('g.node, g.group')) {
        nodes++;
        const name = `${g.getAttribute('data-id')}`;
        const box = g.querySelector('rect').getBoundingClientRect();
        if (!within(box, viewport)) problems.push(`${name} ${JSON.stringify(box)} outside the viewport`);
        if (!within(box, canvas)) problems.push(`${name} outside its canvas`);
        for (const text of g.querySelectorAll(':scope > text')) {
          if (!within(text.getBoundingClientRect(), box)) problems.push(`the label "${text.textContent}" runs out of ${name}`);
        }
      }
    }
    return { problems, nodes, viewport };
  }, TOLERANCE);
  if (report.nodes === 0) throw new Error(`no lineage nodes ${when}`);
  if (report.problems.length > 0) throw new Error(`lineage nodes not fully shown ${when} (viewport ${report.viewport.width}×${report.viewport.height}):\n${report.problems.join('\n')}`);
  return { count: report.nodes, viewport: report.viewport };
}

/** The extension's own account of the first paint (it writes one line per panel to its output log). */
async function loggedFirstPaint(server) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    for (const file of server.findOutputLog('Sluice')) {
      const line = fs.readFileSync(file, 'utf8').split('\n').find((l) => l.includes('lineage panel: first graphs drawn'));
      const drawn = line && /first graphs drawn (\d+) ms after opening/.exec(line);
      if (drawn) return { drawnMs: Number(drawn[1]), line: line.replace(/^.*?lineage panel: /, '') };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the Sluice output log has no first-paint line of the lineage panel');
}

// The plan panel's page script (plain browser JavaScript, run inside the webview). It draws what the
// extension sends with DOM nodes and textContent only, so model text and names are never parsed as HTML.
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const $ = (id) => document.getElementById(id);
  const CHANGE_WORDS = {
    added: 'added',
    removed: 'removed',
    directly_modified: 'directly modified',
    indirectly_modified: 'indirectly modified',
    metadata: 'metadata changed',
  };

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setStatus(text, kind) {
    const status = $('status');
    status.textContent = text;
    status.className = kind || '';
  }

  /** Dims the plan on view while a newer one is made (a file changed). */
  function setStale(stale) {
    for (const id of ['changes', 'summary', 'errors']) $(id).classList.toggle('stale', stale);
  }

  function plural(n, word) {
    return n + ' ' + word + (n === 1 ? '' : 's');
  }

  function ranges(intervals) {
    return intervals.map((r) => (r[0] === r[1] ? r[0] : r[0] + ' .. ' + r[1])).join(', ');
  }

  function duration(ms) {
    return ms < 1000 ? Math.round(ms) + ' ms' : (ms / 1000).toFixed(1) + ' s';
  }

  function diffBlock(diff) {
    const pre = el('pre', 'diff');
    const lines = diff.split('\n');
    const start = Math.max(0, lines.findIndex((l) => l.startsWith('---')));
    for (const line of lines.slice(start)) {
      if (line === '') continue;
      const kind = line.startsWith('+++') || line.startsWith('---') ? 'hunk' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') ? 'hunk' : '';
      pre.appendChild(el('span', kind, line));
    }
    return pre;
  }

  function changeBlock(change) {
    const box = el('div', 'change');
    box.dataset.model = change.model;
    box.dataset.category = change.category;
    const head = el('div', 'change-head');
    const name = el(change.file ? 'a' : 'span', 'model', change.model);
    if (change.file) {
      name.title = 'Open ' + change.file;
      name.addEventListener('click', () => vscode.postMessage({ type: 'open', file: change.file }));
    }
    head.appendChild(name);
    head.appendChild(el('span', '', CHANGE_WORDS[change.change] || change.change));
    head.appendChild(el('span', 'category ' + change.category, change.category.replace('_', '-')));
    if (!change.rebuild && change.change !== 'removed') head.appendChild(el('span', 'detail', 'no rebuild'));
    box.appendChild(head);
    box.appendChild(el('div', 'detail reason', change.reason));
    const cols = [];
    for (const c of change.columns.added) cols.push('+' + c);
    for (const c of change.columns.removed) cols.push('-' + c);
    for (const c of change.columns.retyped) cols.push(c + ' retyped');
    if (cols.length > 0 && change.change !== 'added' && change.change !== 'removed') box.appendChild(el('div', 'detail', 'columns: ' + cols.join(', ')));
    if (change.impacted.length > 0) box.appendChild(el('div', 'detail', 'downstream: ' + change.impacted.join(', ')));
    if (change.diff) box.appendChild(diffBlock(change.diff));
    return box;
  }

  function showPlan(plan, trusted) {
    setStale(false);
    $('title').textContent = 'Plan for ' + plan.environment + ' · ' + plan.project;
    $('environment').textContent = 'Environment: ' + plan.environment;
    const errors = $('errors');
    errors.replaceChildren(...plan.errors.map((e) => el('li', '', e)));
    $('changes').replaceChildren(...plan.changes.map(changeBlock));
    const summary = [];
    summary.push(plan.build.length === 0 ? 'Nothing to build.' : 'Tables to build: ' + plan.build.join(', ') + '.');
    if (plan.reuse.length > 0) summary.push(plural(plan.reuse.length, 'table') + ' reused as they are.');
    for (const b of plan.backfill) summary.push('Backfill ' + b.model + ': ' + ranges(b.intervals) + '.');
    if (plan.removed.length > 0) summary.push('Removed: ' + plan.removed.join(', ') + '.');
    $('summary').textContent = plan.empty ? '' : summary.join(' ');
    const base = plan.base === null ? 'an empty warehouse' : plan.base === plan.environment ? 'its current state' : plan.base;
    setStatus(plan.empty ? 'No changes: ' + plan.environment + ' is up to date.' : plural(plan.changes.length, 'change') + ' compared with ' + base + '.', '');
    const apply = $('apply');
    apply.disabled = plan.empty || plan.errors.length > 0 || !trusted;
    apply.title = !trusted ? 'Applying runs the project\u2019s SQL: trust the workspace first' : plan.errors.length > 0 ? 'Fix the model errors first' : 'Apply to ' + plan.environment;
    apply.textContent = 'Apply to ' + plan.environment;
  }

  /** What the last apply did: it stays in view under the plans that follow until another environment is shown. */
  function showApplied(result, at) {
    const box = $('applied');
    if (!result) {
      box.hidden = true;
      box.replaceChildren();
      return;
    }
    const when = (at ? ' at ' + at : '') + ' in ' + duration(result.durationMs);
    const head = el('div', 'applied-head', (result.error ? 'Apply to ' + result.environment + ' failed' : 'Applied to ' + result.environment) + when);
    const lines = [];
    if (result.error) {
      lines.push(result.error);
    } else {
      lines.push(result.built.length === 0 ? 'Built nothing.' : 'Built ' + plural(result.built.length, 'model') + ': ' + result.built.join(', ') + '.');
      lines.push('Reused ' + plural(result.reused.length, 'model') + ' as they were.');
      if (result.backfilled.length === 0) lines.push('Nothing backfilled.');
      for (const b of result.backfilled) lines.push('Backfilled ' + b.model + ': ' + ranges(b.intervals) + ' (' + b.rows.toLocaleString() + (b.rows === 1 ? ' row' : ' rows') + ').');
      const a = result.audits;
      lines.push(a.run === 0 ? 'No audits ran.' : 'Audits: ' + a.run + ' run, ' + a.passed + ' passed, ' + a.failed + ' failed.');
      if (result.removed.length > 0) lines.push('Removed ' + result.removed.join(', ') + '.');
      if (!result.swapped) lines.push(result.environment + ' was already up to date.');
    }
    const list = el('ul');
    list.replaceChildren(...lines.map((l) => el('li', '', l)));
    box.className = result.error ? 'failed' : '';
    box.replaceChildren(head, list);
    box.hidden = false;
  }

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (message.type === 'plan') showPlan(message.plan, message.trusted);
    else if (message.type === 'busy') {
      setStatus(message.message, 'busy');
      if (message.stale) setStale(true);
      $('apply').disabled = true;
    } else if (message.type === 'applied') showApplied(message.result, message.at);
    else if (message.type === 'error') setStatus(message.message, 'error');
  });
  $('apply').addEventListener('click', () => vscode.postMessage({ type: 'apply' }));
  $('refresh').addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
  $('environment').addEventListener('click', () => vscode.postMessage({ type: 'pickEnvironment' }));
  vscode.postMessage({ type: 'ready' });
})();

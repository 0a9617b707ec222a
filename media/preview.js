// The table preview's page script (plain browser JavaScript, run inside the webview). It draws the rows the
// extension sends with DOM nodes and textContent only, so no value is ever parsed as HTML.
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function show(preview) {
    $('title').textContent = preview.title;
    $('status').textContent = preview.status;
    $('status').className = '';
    const table = $('rows');
    table.replaceChildren();
    const head = el('thead');
    const names = el('tr');
    for (const c of preview.result.columns) {
      const th = el('th', '', c.name);
      th.title = c.type;
      th.appendChild(el('div', 'type', c.type));
      names.appendChild(th);
    }
    head.appendChild(names);
    const body = el('tbody');
    for (const row of preview.result.rows) {
      const tr = el('tr');
      for (const value of row) {
        if (value === null) {
          tr.appendChild(el('td', 'null', 'NULL'));
          continue;
        }
        // Long values are cut by the cell's width; the whole value shows on hover.
        const td = el('td', '', value);
        td.title = value;
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    table.append(head, body);
  }

  window.addEventListener('message', (event) => {
    const message = event.data;
    if (message.type === 'preview') show(message);
    else if (message.type === 'error') {
      $('status').textContent = message.message;
      $('status').className = 'error';
      $('rows').replaceChildren();
    }
  });
  vscode.postMessage({ type: 'ready' });
})();

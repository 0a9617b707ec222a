// The health report as one self-contained HTML file, to post or attach: inline CSS and SVG, no script, no
// network (its Content-Security-Policy forbids any), and every value from the warehouse or the project escaped.

import type { ColumnHealth, HealthReport, HealthStatus, SourceHealth, VolumePoint } from './types';
import { STATUS_ORDER as ORDER } from './modelSummary';

const COLOURS: Record<HealthStatus, string> = { failing: '#c62828', stale: '#ef6c00', unknown: '#757575', fresh: '#2e7d32' };

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderHealthHtml(report: HealthReport): string {
  const sources = Object.entries(report.sources).sort(byStatus);
  const columns = Object.entries(report.columns).sort(byStatus);
  const summary = (counts: HealthReport['summary']['columns']) =>
    ORDER.map((s) => `<span class="badge ${s}">${counts[s]} ${s}</span>`).join(' ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sluice health of ${escapeHtml(report.environment)}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem; color: #212121; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
.meta { color: #616161; }
table { border-collapse: collapse; width: 100%; margin-top: .5rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid #e0e0e0; }
th { background: #fafafa; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: .7rem; color: #fff; font-size: 12px; }
${ORDER.map((s) => `.${s} { background: ${COLOURS[s]}; }`).join('\n')}
.ok { color: ${COLOURS.fresh}; } .bad { color: ${COLOURS.failing}; }
.anomaly { color: ${COLOURS.failing}; }
ul { margin: .2rem 0; padding-left: 1.1rem; }
</style>
</head>
<body>
<h1>Sluice health of <code>${escapeHtml(report.environment)}</code></h1>
<p class="meta">Judged at ${escapeHtml(report.generated_at)}.
${report.summary.ok ? '<span class="ok">Nothing is failing or stale beyond error_after.</span>' : '<span class="bad">Something is failing or stale beyond error_after.</span>'}</p>
<p>Columns: ${summary(report.summary.columns)}<br>Resources: ${summary(report.summary.sources)}</p>
<h2>Sources</h2>
${sources.length === 0 ? '<p>No source resources.</p>' : sourceTable(sources)}
<h2>Columns</h2>
${columns.length === 0 ? '<p>No model columns.</p>' : columnTable(columns)}
</body>
</html>
`;
}

function byStatus<T extends { status: HealthStatus }>([a, x]: [string, T], [b, y]: [string, T]): number {
  return ORDER.indexOf(x.status) - ORDER.indexOf(y.status) || (a < b ? -1 : a > b ? 1 : 0);
}

function badge(status: HealthStatus): string {
  return `<span class="badge ${status}">${status}</span>`;
}

function sourceTable(sources: [string, SourceHealth][]): string {
  const rows = sources.map(([key, s]) => `<tr>
<td>${badge(s.status)}</td>
<td><code>${escapeHtml(key)}</code>${s.owner ? `<br>owner ${escapeHtml(s.owner)}` : ''}${s.tags.length > 0 ? `<br>tags ${escapeHtml(s.tags.join(', '))}` : ''}</td>
<td>${escapeHtml(s.reason)}${s.anomaly ? `<br><span class="anomaly">Unusual volume: ${escapeHtml(s.anomaly)}</span>` : ''}${schemaList(s)}</td>
<td>${s.last_success ? `<code>${escapeHtml(s.last_success.load_id)}</code><br>${escapeHtml(s.last_success.at)}` : '-'}</td>
<td class="num">${s.last_success?.rows == null ? '-' : escapeHtml(s.last_success.rows.toLocaleString('en-US'))}</td>
<td>${s.last_failure ? `<code>${escapeHtml(s.last_failure.load_id)}</code><br>${escapeHtml(s.last_failure.at)}<br>${escapeHtml(s.last_failure.error)}` : '-'}</td>
<td>${volumeChart(s.volume, s.anomaly !== null)}</td>
</tr>`);
  return `<table>
<thead><tr><th>Status</th><th>Resource</th><th>Why</th><th>Last success</th><th>Rows</th><th>Last failure</th><th>Rows per load</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

function schemaList(s: SourceHealth): string {
  if (s.schema_changes.length === 0) return '';
  const items = s.schema_changes.slice(0, 5).map((c) => {
    const what = c.changes.map((x) => ('column' in x ? `${x.kind.replace('_', ' ')} ${x.table}.${x.column}` : `${x.kind.replace('_', ' ')} ${x.table}`));
    return `<li>${escapeHtml(c.at)}: ${escapeHtml(what.join(', '))}</li>`;
  });
  return `<ul>${items.join('')}</ul>`;
}

/** Bars of rows per load, oldest on the left; the last bar is red when its volume is unusual. */
function volumeChart(volume: VolumePoint[], anomaly: boolean): string {
  if (volume.length === 0) return '-';
  const width = 150;
  const height = 36;
  const max = Math.max(1, ...volume.map((v) => v.rows));
  const step = width / volume.length;
  const bars = volume.map((v, i) => {
    const h = Math.max(1, Math.round((v.rows / max) * (height - 2)));
    const colour = anomaly && i === volume.length - 1 ? COLOURS.failing : '#1565c0';
    return `<rect x="${(i * step).toFixed(1)}" y="${height - h}" width="${Math.max(1, step - 1).toFixed(1)}" height="${h}" fill="${colour}"><title>${escapeHtml(`${v.load_id}: ${v.rows.toLocaleString('en-US')} rows`)}</title></rect>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="rows per load">${bars.join('')}</svg>`;
}

function columnTable(columns: [string, ColumnHealth][]): string {
  const rows = columns.map(([key, c]) => {
    const sources = c.sources.map((s) => {
      const fed = s.fed_by ? ` fed by <code>${escapeHtml(s.fed_by.load_id)}</code> (${escapeHtml(s.fed_by.at)})` : '';
      return `<li><code>${escapeHtml(s.field)}</code> ${badge(s.status)}${fed}</li>`;
    });
    const problems = c.filters.filter((f) => f.status !== 'fresh');
    if (c.filters.length > 0) {
      const listed = problems.map((f) => `<code>${escapeHtml(f.field)}</code> ${badge(f.status)}`);
      const rest = c.filters.length - problems.length;
      sources.push(`<li>rows picked by ${[...listed, rest > 0 ? `${rest} fresh field${rest === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ')}</li>`);
    }
    return `<tr>
<td>${badge(c.status)}${c.breach ? `<br>${escapeHtml(c.breach)}` : ''}</td>
<td><code>${escapeHtml(key)}</code></td>
<td>${escapeHtml(c.reason)}${sources.length > 0 ? `<ul>${sources.join('')}</ul>` : ''}</td>
<td>${escapeHtml(c.model.kind)}<br>built ${escapeHtml(c.model.built_at ?? 'never')}<br>audits ${escapeHtml(c.model.audits)}${c.model.owner ? `<br>owner ${escapeHtml(c.model.owner)}` : ''}${c.model.tags.length > 0 ? `<br>tags ${escapeHtml(c.model.tags.join(', '))}` : ''}</td>
</tr>`;
  });
  return `<table>
<thead><tr><th>Status</th><th>Column</th><th>Why, and the source fields it depends on</th><th>Model</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

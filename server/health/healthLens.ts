// The freshness lens above a model's MODEL block: "$(pass) prod: fresh · built 2 h ago · audits passed",
// the reason in its tooltip; it opens the Health view on the model. Only for models the report judges
// (built in that environment, or reading sources), from the cached report: a lens never waits for DuckDB.

import type { CodeLens } from 'vscode-languageserver/node';
import { nowMs } from '../../core/clock';
import { summaryLine, type ModelHealthSummary } from '../../core/health/modelSummary';
import type { HealthStatus } from '../../core/health/types';
import type { ModelFileContext } from '../language/context';
import { modelBlockRange } from '../language/modelLenses';

export const SHOW_HEALTH_COMMAND = 'sluice.showHealth';

const ICONS: Record<HealthStatus, string> = { fresh: '$(pass)', stale: '$(warning)', failing: '$(error)', unknown: '$(question)' };

export function healthCodeLenses(ctx: ModelFileContext, environment: string, summary: ModelHealthSummary | undefined): CodeLens[] {
  // Nothing built and nothing known (a new project, an environment not applied yet): no lens to say so.
  if (!summary || (summary.status === 'unknown' && !summary.build.built_at)) return [];
  return [
    {
      range: modelBlockRange(ctx),
      command: {
        title: `${ICONS[summary.status]} ${environment}: ${summaryLine(summary, nowMs())}`,
        tooltip: summary.reason,
        command: SHOW_HEALTH_COMMAND,
        arguments: [{ projectDir: ctx.entry.info.dir, model: summary.model }],
      },
    },
  ];
}

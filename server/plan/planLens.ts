// The plan status above a model's MODEL block: what applying the editor's environment would do to it
// ("plan dev: non-breaking · +1 column · 2 downstream"). Models the plan leaves alone get no lens, so an
// unchanged project stays quiet; the lens opens the plan panel.

import type { CodeLens } from 'vscode-languageserver/node';
import type { EditorPlan } from '../../core/plan/editor';
import type { ModelFileContext } from '../language/context';
import { modelBlockRange } from '../language/modelLenses';

export const SHOW_PLAN_COMMAND = 'sluice.showPlan';

export function planCodeLenses(ctx: ModelFileContext, plan: EditorPlan | undefined): CodeLens[] {
  const key = ctx.prepared?.key;
  const change = key && plan ? plan.models[key] : undefined;
  if (!plan || !change) return [];
  const icon = change.category === 'breaking' && change.change !== 'added' ? '$(warning)' : '$(git-compare)';
  const rebuilds = change.category === 'breaking' && change.change === 'directly_modified' ? ` · rebuilds ${plan.builds} model${plan.builds === 1 ? '' : 's'}` : '';
  return [
    {
      range: modelBlockRange(ctx),
      command: {
        title: `${icon} plan ${plan.environment}: ${change.label}${rebuilds}`,
        command: SHOW_PLAN_COMMAND,
        arguments: [{ projectDir: ctx.entry.info.dir, environment: plan.environment }],
      },
    },
  ];
}

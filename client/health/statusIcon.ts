// Health status as the editor colours it: the test explorer's colours, which every theme defines.

import * as vscode from 'vscode';
import type { HealthStatus } from '../../core/health/types';

const COLOURS: Record<HealthStatus, string | undefined> = {
  failing: 'testing.iconFailed',
  stale: 'list.warningForeground',
  unknown: undefined,
  fresh: 'testing.iconPassed',
};

const SHAPES: Record<HealthStatus, string> = { failing: 'error', stale: 'warning', unknown: 'question', fresh: 'pass' };

/** The status's own icon, or `shape` (a model's kind icon, say) in the status's colour. */
export function statusIcon(status: HealthStatus, shape = SHAPES[status]): vscode.ThemeIcon {
  const colour = COLOURS[status];
  return colour ? new vscode.ThemeIcon(shape, new vscode.ThemeColor(colour)) : new vscode.ThemeIcon(shape);
}

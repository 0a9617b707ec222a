// Messages between the plan panel (extension side) and its page (media/plan.js). Types only.

import type { ApplyRequest, PlanRequest } from '../../core/protocol';

export type ToPlanPage =
  /** A plan to show; `trusted` decides whether Apply is offered. */
  | { type: 'plan'; plan: PlanRequest.Result; trusted: boolean }
  /**
   * Something is under way (planning, applying). `stale`: the plan shown is out of date (a file changed)
   * and a new one is being made; it stays in view, dimmed, until then.
   */
  | { type: 'busy'; message: string; stale?: boolean }
  /** What the last apply of the shown environment did (null: none yet); it stays in view under the plans that follow. */
  | { type: 'applied'; result: ApplyRequest.Result | null; at?: string }
  | { type: 'error'; message: string };

export type FromPlanPage =
  | { type: 'ready' }
  | { type: 'apply' }
  | { type: 'refresh' }
  | { type: 'pickEnvironment' }
  | { type: 'open'; file: string };

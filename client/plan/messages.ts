// Messages between the plan panel (extension side) and its page (media/plan.js). Types only.

import type { ApplyRequest, PlanRequest } from '../../core/protocol';

export type ToPlanPage =
  /** A plan to show; `trusted` decides whether Apply is offered. */
  | { type: 'plan'; plan: PlanRequest.Result; trusted: boolean }
  /** Something is under way (planning, applying). */
  | { type: 'busy'; message: string }
  /** An apply finished (successfully or not); a fresh plan follows. */
  | { type: 'applied'; result: ApplyRequest.Result }
  | { type: 'error'; message: string };

export type FromPlanPage =
  | { type: 'ready' }
  | { type: 'apply' }
  | { type: 'refresh' }
  | { type: 'pickEnvironment' }
  | { type: 'open'; file: string };

/** The roles a person may hold. */
export const roles = ['staff', 'process-owner', 'orpg', 'management', 'auditor'] as const;
export type Role = (typeof roles)[number];

/** Anyone registered, whatever their role. */
const everyone: readonly Role[] = roles;

/**
 * The permission matrix: which roles may take each action. The admin token may take every
 * action. Some actions also check ownership in their route (marked "own"): deciding needs the
 * task's assignee, withdrawing the proposer or the ORPG, tokens and delegations the person
 * themself or the ORPG.
 */
export const permissions = {
  'improvements:submit': { roles: everyone, route: 'POST /api/improvements', note: 'as the proposer (ORPG may submit for someone)' },
  'improvements:read': { roles: everyone, route: 'GET /api/improvements, GET /api/improvements/:id', note: '' },
  'improvements:withdraw': { roles: everyone, route: 'POST /api/improvements/:id/withdraw', note: 'own: the proposer, or any ORPG member' },
  'tasks:read': { roles: everyone, route: 'GET /api/tasks/:id', note: 'own: the assignee, or ORPG, management, auditors' },
  'tasks:decide': { roles: everyone, route: 'POST /api/tasks/:id/decision', note: "own: the task's assignee only" },
  'tasks:reassign': { roles: ['orpg'], route: 'POST /api/tasks/:id/reassign', note: '' },
  'org-units:read': { roles: everyone, route: 'GET /api/org-units, GET /api/org-units/:id', note: '' },
  'org-units:write': { roles: ['orpg'], route: 'POST /api/org-units, PUT /api/org-units/:id/processes', note: '' },
  'processes:read': { roles: everyone, route: 'GET /api/processes, GET /api/processes/:id, GET /api/adoption', note: '' },
  'processes:write': { roles: ['orpg'], route: 'POST /api/processes', note: '' },
  'processes:draft': { roles: ['orpg', 'process-owner'], route: 'POST /api/processes/:id/versions', note: 'own: a process owner only for a process they own' },
  'people:read': { roles: everyone, route: 'GET /api/people, GET /api/people/:email', note: '' },
  'people:write': { roles: ['orpg'], route: 'POST /api/people', note: '' },
  'people:delegate': { roles: everyone, route: 'POST|GET|DELETE /api/people/:email/delegations', note: 'own: the person, or ORPG' },
  'tokens:manage': { roles: everyone, route: 'POST|GET|DELETE /api/people/:email/tokens', note: 'own: the person only (admin for anyone)' },
  'audit:read': { roles: ['orpg', 'auditor'], route: 'GET /api/audit', note: '' },
} as const satisfies Record<string, { roles: readonly Role[]; route: string; note: string }>;

export type Action = keyof typeof permissions;

/** Whether someone holding `held` roles may take `action` (ownership is checked by the route). */
export function isPermitted(action: Action, held: readonly string[]): boolean {
  const allowed: readonly string[] = permissions[action].roles;
  return held.some((role) => allowed.includes(role));
}

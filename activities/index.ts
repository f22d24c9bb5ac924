import type { BusinessCalendar } from './calendar';
import { createDbActivities } from './db';
import { createDelegationActivities } from './delegations';
import { createNotificationActivities, type NotificationDeps } from './notifications';
import { createProcessDeploymentActivities, type ProcessDeploymentDeps } from './process-deployment';
import { createTaskDeadlineActivities } from './task-deadlines';
import { createTaskOpeningActivities } from './task-opening';

export interface ActivityDeps extends NotificationDeps, ProcessDeploymentDeps {
  calendar: BusinessCalendar;
}

/** Every activity the worker registers, built from the outside systems they adapt. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createDbActivities(deps),
    ...createDelegationActivities(deps),
    ...createNotificationActivities(deps),
    ...createProcessDeploymentActivities(deps),
    ...createTaskOpeningActivities(deps),
    ...createTaskDeadlineActivities(deps),
  };
}

import { createDbActivities } from './db';
import { createNotificationActivities, type NotificationDeps } from './notifications';

/** Every activity the worker registers, built from the outside systems they adapt. */
export function createActivities(deps: NotificationDeps) {
  return {
    ...createDbActivities(deps),
    ...createNotificationActivities(deps),
  };
}

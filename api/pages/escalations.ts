import { Router } from 'express';
import type { Database } from '../../prisma/database';
import { AppError } from '../errors';
import { callerHolds } from '../auth';
import { escapeHtml } from '../html';
import { requireSignIn } from '../sessions';
import { taskSubjects } from '../task-steps';
import { signedInPage, when } from './layout';

/** What has been escalated, oldest first, with who is late: for management and the ORPG. */
export function escalationRoutes({ db }: { db: Database }): Router {
  const router = Router();

  router.get('/escalations', requireSignIn, async (req, res) => {
    if (!callerHolds(req.caller, 'management', 'orpg')) throw new AppError('forbidden', 403, 'authorization: escalations are for management and the ORPG');
    const tasks = await db.task.findMany({
      where: { status: 'open', escalationLevel: { gte: 1 } },
      orderBy: { dueAt: 'asc' },
    });
    const subjects = await taskSubjects(db, tasks);
    const now = Date.now();
    const rows = tasks
      .map((task) => {
        const daysLate = Math.max(0, Math.floor((now - task.dueAt.getTime()) / 86_400_000));
        const subject = subjects.get(task)!;
        return `<tr><td><a href="${escapeHtml(subject.href)}">${escapeHtml(subject.title)}</a></td><td>${escapeHtml(task.step)}</td>
<td>${escapeHtml(task.assignee)}</td><td>${when(task.dueAt)} <span class="badge late">${daysLate} day${daysLate === 1 ? '' : 's'} late</span></td>
<td>${task.escalationLevel === 2 ? 'management' : "assignee's manager"}</td></tr>`;
      })
      .join('');
    res.type('html').send(
      signedInPage(
        req,
        'Escalations',
        rows
          ? `<p>${tasks.length} escalated task${tasks.length === 1 ? '' : 's'}, oldest first.</p><div class="table-wrap"><table><thead><tr><th scope="col">Improvement</th><th scope="col">Step</th><th scope="col">Who is late</th><th scope="col">Was due</th><th scope="col">Escalated to</th></tr></thead><tbody>${rows}</tbody></table></div>`
          : '<p>Nothing is escalated.</p>',
      ),
    );
  });

  return router;
}

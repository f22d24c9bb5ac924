import { Router } from 'express';
import { z } from 'zod';
import type { Prisma } from '../../generated/prisma/client';
import type { Database } from '../../prisma/database';
import { improvementStages, improvementStatuses } from '../../workflows/improvement/definitions';
import { allow } from '../auth';
import { parse } from '../errors';
import { escapeHtml } from '../html';
import { requireSignIn } from '../sessions';
import { signedInPage, when } from './layout';

const pageSize = 25;
const dueSoonMs = 2 * 86_400_000;

const dashboardQuery = z.strictObject({
  q: z.string().trim().max(200).optional(),
  stage: z.enum(improvementStages).or(z.literal('')).optional(),
  status: z.enum(improvementStatuses).or(z.literal('')).optional(),
  owner: z.string().trim().max(320).optional(),
  unit: z.uuid().or(z.literal('')).optional(),
  priority: z.preprocess((value) => (value === '' ? undefined : value), z.coerce.number().int().min(-10).max(30).optional()),
  overdue: z.enum(['on', '']).optional(),
  sort: z.enum(['created', 'priority', 'title', 'stage', 'owner']).default('created'),
  dir: z.enum(['asc', 'desc']).default('desc'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

type DashboardQuery = z.infer<typeof dashboardQuery>;

/** Prisma's `contains` becomes ILIKE without escaping: a searched % or _ must match itself. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function whereOf(query: DashboardQuery, now: Date): Prisma.ImprovementWhereInput {
  return {
    ...(query.q ? { title: { contains: likeLiteral(query.q), mode: 'insensitive' } } : {}),
    ...(query.stage ? { stage: query.stage } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.owner ? { processOwnerEmail: query.owner.toLowerCase() } : {}),
    ...(query.unit ? { orgUnitIds: { has: query.unit } } : {}),
    ...(typeof query.priority === 'number' ? { priority: { gte: query.priority } } : {}),
    ...(query.overdue === 'on' ? { tasks: { some: { status: 'open', dueAt: { lt: now } } } } : {}),
  };
}

function orderOf(query: DashboardQuery): Prisma.ImprovementOrderByWithRelationInput[] {
  const column = { created: 'createdAt', priority: 'priority', title: 'title', stage: 'stage', owner: 'processOwnerEmail' }[query.sort];
  return [{ [column]: query.dir }, { id: 'asc' }];
}

function urlWith(query: DashboardQuery, changes: Partial<Record<keyof DashboardQuery, string | number>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...query, ...changes })) {
    if (value !== undefined && value !== '' && !(key === 'page' && value === 1)) params.set(key, String(value));
  }
  return `/dashboard?${params.toString()}`;
}

function option(value: string, label: string, selected: string | number | undefined): string {
  return `<option value="${escapeHtml(value)}"${String(selected ?? '') === value ? ' selected' : ''}>${escapeHtml(label)}</option>`;
}

/** The ORPG's dashboard: every improvement in flight, where it is, who holds it, what is late. */
export function dashboardRoutes({ db }: { db: Database }): Router {
  const router = Router();

  router.get('/dashboard', requireSignIn, allow('improvements:read'), async (req, res) => {
    const query = parse(dashboardQuery, req.query, 'query');
    const now = new Date();
    const where = whereOf(query, now);
    const [stageCounts, total, rows, units, overdueCount, dueSoonCount] = await Promise.all([
      db.improvement.groupBy({ by: ['stage'], _count: { _all: true }, where: { status: 'active' } }),
      db.improvement.count({ where }),
      db.improvement.findMany({
        where,
        orderBy: orderOf(query),
        take: pageSize,
        skip: (query.page - 1) * pageSize,
        include: { tasks: { where: { status: 'open' }, orderBy: { dueAt: 'asc' } } },
      }),
      db.orgUnit.findMany({ orderBy: { name: 'asc' } }),
      db.improvement.count({ where: { tasks: { some: { status: 'open', dueAt: { lt: now } } } } }),
      db.improvement.count({ where: { tasks: { some: { status: 'open', dueAt: { gte: now, lt: new Date(now.getTime() + dueSoonMs) } } } } }),
    ]);
    const unitNames = new Map(units.map((unit) => [unit.id, unit.name]));
    const counts = improvementStages
      .filter((stage) => stageCounts.some((count) => count.stage === stage))
      .map((stage) => {
        const count = stageCounts.find((entry) => entry.stage === stage)?._count._all ?? 0;
        return `<li><a href="${urlWith(query, { stage, page: 1 })}"><strong>${count}</strong>${escapeHtml(stage)}</a></li>`;
      })
      .join('');
    const sortLink = (column: DashboardQuery['sort'], label: string) => {
      const dir = query.sort === column && query.dir === 'desc' ? 'asc' : 'desc';
      const current = query.sort === column ? ` aria-sort="${query.dir === 'asc' ? 'ascending' : 'descending'}"` : '';
      return `<th scope="col"${current}><a href="${urlWith(query, { sort: column, dir, page: 1 })}">${label}</a></th>`;
    };
    const body = rows
      .map((row) => {
        const late = row.tasks.filter((task) => task.dueAt < now);
        const soon = row.tasks.filter((task) => task.dueAt >= now && task.dueAt.getTime() < now.getTime() + dueSoonMs);
        const badges = [
          late.length ? `<span class="badge late">Overdue</span>` : '',
          soon.length ? `<span class="badge soon">Due soon</span>` : '',
          row.escalationLevel > 0 ? `<span class="badge late">Escalated ${row.escalationLevel === 2 ? 'to management' : 'to manager'}</span>` : '',
        ].join(' ');
        const holders = row.tasks.map((task) => `${escapeHtml(task.assignee)} <span class="muted">(${escapeHtml(task.step)}, due ${when(task.dueAt)})</span>`).join('<br>');
        return `<tr><td><a href="/improvements/${row.id}">${escapeHtml(row.title)}</a> ${badges}</td><td>${escapeHtml(row.stage)}</td>
<td class="optional">${escapeHtml(row.processOwnerEmail)}</td><td class="optional">${escapeHtml(row.orgUnitIds.map((id) => unitNames.get(id) ?? id).join(', '))}</td>
<td>${row.priority ?? '<span class="muted">—</span>'}</td><td>${holders || '<span class="muted">nobody</span>'}</td></tr>`;
      })
      .join('');
    const pages = Math.max(1, Math.ceil(total / pageSize));
    const filters = `<form class="filters" method="get" action="/dashboard" role="search">
<label>Title<input name="q" type="search" value="${escapeHtml(query.q ?? '')}"></label>
<label>Stage<select name="stage">${option('', 'Any', query.stage)}${improvementStages.map((stage) => option(stage, stage, query.stage)).join('')}</select></label>
<label>Status<select name="status">${option('', 'Any', query.status)}${improvementStatuses.map((status) => option(status, status, query.status)).join('')}</select></label>
<label>Process owner<input name="owner" type="email" value="${escapeHtml(query.owner ?? '')}"></label>
<label>Unit<select name="unit">${option('', 'Any', query.unit)}${units.map((unit) => option(unit.id, unit.name, query.unit)).join('')}</select></label>
<label>Priority at least<input name="priority" type="number" min="-10" max="30" value="${escapeHtml(String(query.priority ?? ''))}"></label>
<label><span><input name="overdue" type="checkbox" value="on"${query.overdue === 'on' ? ' checked' : ''}> Overdue only</span></label>
<input type="hidden" name="sort" value="${query.sort}"><input type="hidden" name="dir" value="${query.dir}">
<button type="submit">Filter</button></form>`;
    res.type('html').send(
      signedInPage(
        req,
        'Improvements in flight',
        `<ul class="counts" aria-label="Active improvements by stage">${counts || '<li>None active</li>'}</ul>
<p><a href="${urlWith(query, { overdue: 'on', page: 1 })}"><span class="badge late">${overdueCount} overdue</span></a> <span class="badge soon">${dueSoonCount} due within 2 days</span></p>
${filters}
<p class="muted" aria-live="polite">${total} improvement${total === 1 ? '' : 's'}; page ${query.page} of ${pages}</p>
<div class="table-wrap"><table><thead><tr>${sortLink('title', 'Title')}${sortLink('stage', 'Stage')}${sortLink('owner', 'Process owner').replace('<th scope="col"', '<th scope="col" class="optional"')}<th scope="col" class="optional">Units</th>${sortLink('priority', 'Priority')}<th scope="col">Waiting for</th></tr></thead><tbody>${body}</tbody></table></div>
<nav aria-label="Pages"><p>${query.page > 1 ? `<a href="${urlWith(query, { page: query.page - 1 })}" rel="prev">← Previous</a>` : ''} ${query.page < pages ? `<a href="${urlWith(query, { page: query.page + 1 })}" rel="next">Next →</a>` : ''}</p></nav>`,
      ),
    );
  });

  return router;
}

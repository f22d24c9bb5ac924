import { Router } from 'express';
import { z } from 'zod';
import type { Database } from '../../prisma/database';
import { type CsvRow, toCsv } from '../../reports/csv';
import { computeMeasures, type Measures } from '../../reports/read-model';
import { allow } from '../auth';
import { AppError, parse } from '../errors';
import { escapeHtml } from '../html';
import { requireSignIn } from '../sessions';
import { signedInPage } from './layout';
import { libraryDeploymentRows, libraryDeploymentSections } from './library-measures';

/** A horizontal bar chart as an accessible SVG. */
export function barChart(title: string, bars: { label: string; value: number | null }[], unit = ''): string {
  const max = Math.max(1, ...bars.map((bar) => bar.value ?? 0));
  const rowHeight = 26;
  const height = bars.length * rowHeight + 10;
  const rows = bars
    .map((bar, index) => {
      const y = 5 + index * rowHeight;
      const width = Math.round(((bar.value ?? 0) / max) * 300);
      const value = bar.value === null ? 'n/a' : `${Number.isInteger(bar.value) ? bar.value : bar.value.toFixed(1)}${unit}`;
      return `<g><title>${escapeHtml(bar.label)}: ${escapeHtml(value)}</title><text x="0" y="${y + 16}" font-size="13">${escapeHtml(bar.label)}</text>
<rect x="170" y="${y + 3}" width="${width}" height="18" fill="#0b5cad"/><text x="${176 + width}" y="${y + 16}" font-size="13">${escapeHtml(value)}</text></g>`;
    })
    .join('');
  return `<figure><figcaption><strong>${escapeHtml(title)}</strong></figcaption><svg role="img" aria-label="${escapeHtml(title)}: ${escapeHtml(bars.map((bar) => `${bar.label} ${bar.value ?? 'n/a'}${unit}`).join(', '))}" viewBox="0 0 560 ${height}" width="100%" style="max-width:560px">${rows}</svg></figure>`;
}

/** Each measure as rows, for CSV and tables. */
export function measureRows(measures: Measures): Record<string, CsvRow[]> {
  return {
    acceptance: [{ accepted: measures.acceptance.accepted, decided: measures.acceptance.decided, percent: measures.acceptance.percent }],
    implementation: [{ implemented: measures.implementation.implemented, planned: measures.implementation.planned, percent: measures.implementation.percent }],
    sources: (['appraisal', 'lessons-learned', 'other'] as const).map((source) => ({ source, count: measures.sources[source].count, percent: measures.sources[source].percent })),
    'elapsed-by-stage': Object.entries(measures.elapsedByStage).map(([stage, stats]) => ({ stage, count: stats.count, medianHours: stats.medianHours, p90Hours: stats.p90Hours })),
    deployment: [{ count: measures.deployment.count, medianHours: measures.deployment.medianHours, p90Hours: measures.deployment.p90Hours }],
    schedule: [{ onSchedule: measures.schedule.onSchedule, late: measures.schedule.late, unplanned: measures.schedule.unplanned }],
    'units-on-current-version': Object.entries(measures.unitsOnCurrentVersion).map(([process, uptake]) => ({ process, units: uptake.units, current: uptake.current, percent: uptake.percent })),
    waivers: Object.entries(measures.waivers).map(([process, counts]) => ({ process, granted: counts.granted, refused: counts.refused })),
    tailoring: Object.entries(measures.tailoring).map(([process, count]) => ({ process, tailored: count })),
    trend: measures.trend.map((bucket) => ({ month: bucket.bucket, opened: bucket.opened, closed: bucket.closed })),
    'library-uptake': [
      ...measures.processLibrary.processes.map(({ processId: _id, ...uptake }) => uptake),
      { process: '(all units, every process)', currentVersion: null, units: measures.processLibrary.overall.units, onCurrent: measures.processLibrary.overall.onCurrentSet, waived: null, percent: measures.processLibrary.overall.percent, waivedPercent: null, tailored: null, hoursToFullAdoption: null },
    ],
    ...libraryDeploymentRows(measures),
  };
}

const csvParams = z.strictObject({ measure: z.string().max(50) });

/**
 * The OPF GG2.GP8 measures: charts, CSV downloads, and every figure as JSON. They are computed
 * over the whole read model, so the last result is served at once and, when older than
 * `cacheSeconds`, recomputed in the background (its time is shown): only the very first request
 * of a process waits for a computation.
 */
export function measureRoutes({ db, cacheSeconds = 30 }: { db: Database; cacheSeconds?: number }): Router {
  const router = Router();
  let latest: { at: number; measures: Measures } | undefined;
  let computing: Promise<Measures> | undefined;
  const refresh = () => {
    computing ??= computeMeasures(db)
      .then((measures) => {
        latest = { at: Date.now(), measures };
        return measures;
      })
      .finally(() => {
        computing = undefined;
      });
    return computing;
  };
  const measuresNow = async (): Promise<Measures> => {
    if (!latest) return refresh();
    if (Date.now() - latest.at > cacheSeconds * 1000) refresh().catch(() => undefined);
    return latest.measures;
  };

  router.get('/api/measures', allow('improvements:read'), async (_req, res) => {
    res.json(await measuresNow());
  });

  router.get('/measures/:measure.csv', requireSignIn, allow('improvements:read'), async (req, res) => {
    const { measure } = parse(csvParams, req.params, 'params');
    const rows = measureRows(await measuresNow())[measure];
    if (!rows) throw new AppError('not_found', 404, `measure: no measure ${measure}`);
    res.type('text/csv').attachment(`opf-${measure}.csv`).send(toCsv(rows));
  });

  router.get('/measures', requireSignIn, allow('improvements:read'), async (req, res) => {
    const measures = await measuresNow();
    const csv = (name: string) => `<p><a href="/measures/${name}.csv" download>Download CSV</a></p>`;
    const sections = [
      barChart('Proposals accepted (% of reviewed)', [{ label: `${measures.acceptance.accepted} of ${measures.acceptance.decided}`, value: measures.acceptance.percent }], '%') + csv('acceptance'),
      barChart('Planned improvements implemented (%)', [{ label: `${measures.implementation.implemented} of ${measures.implementation.planned}`, value: measures.implementation.percent }], '%') + csv('implementation'),
      barChart('Improvements by source (%)', (['appraisal', 'lessons-learned', 'other'] as const).map((source) => ({ label: source, value: measures.sources[source].percent })), '%') + csv('sources'),
      barChart('Median hours per stage', Object.entries(measures.elapsedByStage).map(([stage, stats]) => ({ label: stage, value: stats.medianHours })), ' h') +
        barChart('90th percentile hours per stage', Object.entries(measures.elapsedByStage).map(([stage, stats]) => ({ label: stage, value: stats.p90Hours })), ' h') +
        `<p>Deployment: median ${measures.deployment.medianHours ?? 'n/a'} h, 90th percentile ${measures.deployment.p90Hours ?? 'n/a'} h over ${measures.deployment.count} deployment(s).</p>` +
        csv('elapsed-by-stage'),
      barChart('Status against schedule', [
        { label: 'on schedule', value: measures.schedule.onSchedule },
        { label: 'late', value: measures.schedule.late },
        { label: 'no plan yet', value: measures.schedule.unplanned },
      ]) + csv('schedule'),
      barChart('Units on the current version, from the process library (%)', [
        { label: 'all units, every process', value: measures.processLibrary.overall.percent },
        ...measures.processLibrary.processes.map((uptake) => ({ label: uptake.process, value: uptake.percent })),
      ], '%') + `<p>${measures.processLibrary.overall.onCurrentSet} of ${measures.processLibrary.overall.units} unit(s) run the current version of every standard process that applies to them; see the <a href="/adoption">adoption matrix</a>.</p>` + csv('library-uptake'),
      ...libraryDeploymentSections(measures, csv),
      barChart('Units on the current version, by improvement deployments (%)', Object.entries(measures.unitsOnCurrentVersion).map(([process, uptake]) => ({ label: process, value: uptake.percent })), '%') + csv('units-on-current-version'),
      barChart('Waivers granted per process', Object.entries(measures.waivers).map(([process, counts]) => ({ label: process, value: counts.granted }))) +
        barChart('Waivers refused per process', Object.entries(measures.waivers).map(([process, counts]) => ({ label: process, value: counts.refused }))) +
        csv('waivers'),
      barChart('Tailored adoptions per process', Object.entries(measures.tailoring).map(([process, count]) => ({ label: process, value: count }))) + csv('tailoring'),
      barChart('Improvements opened per month', measures.trend.map((bucket) => ({ label: bucket.bucket, value: bucket.opened }))) +
        barChart('Improvements closed per month', measures.trend.map((bucket) => ({ label: bucket.bucket, value: bucket.closed }))) +
        csv('trend'),
    ];
    res.type('html').send(
      signedInPage(
        req,
        'Measures (OPF GG2.GP8)',
        `<p class="muted">Over ${measures.improvements} improvement(s), computed ${escapeHtml(measures.computedAt)}. Every figure is also JSON at <a href="/api/measures">/api/measures</a> (with an API token).</p>${sections.map((section) => `<section>${section}</section>`).join('')}`,
      ),
    );
  });

  return router;
}

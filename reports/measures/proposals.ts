// Acceptance and implementation of proposals, and where improvements come from [GG2.GP8 sp2].
import { type ImprovementFacts, percentOf, share, type Share } from './facts';

export interface AcceptanceRate {
  accepted: number;
  decided: number;
  percent: number | null;
}

export interface ImplementationRate {
  implemented: number;
  planned: number;
  percent: number | null;
}

export interface SourceShares {
  appraisal: Share;
  'lessons-learned': Share;
  other: Share;
  total: number;
}

/** Stages an improvement reaches only after the ORPG accepted the proposal at review. */
const stagesPastReview: ReadonlySet<string> = new Set([
  'prioritisation',
  'deferred',
  'planning',
  'implementation',
  'pilot',
  'deployment',
  'audit',
  'lessons',
  'closed',
]);

function isAccepted(improvement: ImprovementFacts): boolean {
  return improvement.planned || stagesPastReview.has(improvement.stage);
}

/**
 * Percentage of process improvement proposals accepted [GG2.GP8 sp2].
 *
 * accepted = an approved action plan exists, or the improvement is in a stage past review
 * (prioritisation through closed). decided = accepted + rejected (status 'rejected' and not
 * accepted). Proposals still in review or revision, and those withdrawn or abandoned before
 * a plan was approved, are not counted at all.
 */
export function acceptanceRate(improvements: readonly ImprovementFacts[]): AcceptanceRate {
  const accepted = improvements.filter(isAccepted).length;
  const rejected = improvements.filter((i) => !isAccepted(i) && i.status === 'rejected').length;
  const decided = accepted + rejected;
  return { accepted, decided, percent: percentOf(accepted, decided) };
}

/**
 * Percentage of planned process improvements implemented [GG2.GP8 sp2]: of the improvements
 * with an approved action plan, how many finished all their actions.
 */
export function implementationRate(improvements: readonly ImprovementFacts[]): ImplementationRate {
  const plannedOnes = improvements.filter((i) => i.planned);
  const implemented = plannedOnes.filter((i) => i.implemented).length;
  return { implemented, planned: plannedOnes.length, percent: percentOf(implemented, plannedOnes.length) };
}

/**
 * Percentage of improvements resulting from appraisals, and from experience reports and
 * lessons learned [GG2.GP8 sp2]; every other source (incident, measurement, audit,
 * staff proposal) is grouped as 'other'.
 */
export function shareBySource(improvements: readonly ImprovementFacts[]): SourceShares {
  const total = improvements.length;
  const appraisal = improvements.filter((i) => i.source === 'appraisal').length;
  const lessons = improvements.filter((i) => i.source === 'lessons-learned').length;
  return {
    appraisal: share(appraisal, total),
    'lessons-learned': share(lessons, total),
    other: share(total - appraisal - lessons, total),
    total,
  };
}

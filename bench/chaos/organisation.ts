import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The example organisation (examples/organisation.json) plus an action owner, as the API's SEED_FILE. */
export const proposer = 'ann@example.org';
export const processOwner = 'process.owner@example.org';
export const actionOwner = 'action.owner@example.org';

interface SeedFile {
  orgUnits: { name: string; manager: string }[];
  people: { email: string; name: string; roles: string[]; manager?: string; orgUnit?: string }[];
}

/** Writes the seed file the API registers on its first start; returns its path and every person. */
export function writeSeedFile(dir: string): { file: string; people: string[] } {
  const example = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'examples', 'organisation.json'), 'utf8')) as SeedFile;
  const seed: SeedFile = {
    orgUnits: example.orgUnits,
    people: [...example.people, { email: actionOwner, name: 'Action Owner', roles: ['staff'], manager: processOwner }],
  };
  const file = path.join(dir, 'organisation.json');
  writeFileSync(file, JSON.stringify(seed, null, 2));
  return { file, people: seed.people.map((person) => person.email) };
}

/** A proposal whose lifecycle closes in ten decisions, with deadlines far beyond the run. */
export function proposal(index: number, unitId: string): Record<string, unknown> {
  return {
    title: `Chaos improvement ${index}`,
    description: 'Post-incident reviews close without a root cause, so incidents recur.',
    proposedChange: 'Add a cause-and-effect analysis step before a review may close.',
    proposer,
    processOwner,
    process: 'Incident Management',
    orgUnits: [unitId],
    source: 'incident',
    pilot: false,
    expectedBenefit: 'Fewer repeat incidents',
    durations: { default: { due: '30d', remindBefore: '1d', escalateAfter: '30d' }, settlingPeriod: '1s' },
  };
}

/** What each person decides at each step of the run's lifecycles, with the step's fields. */
export const decisionFor: Record<string, { outcome: string; fields: Record<string, string> }> = {
  review: { outcome: 'accept', fields: { comment: 'Worth doing' } },
  score: { outcome: 'score', fields: { cost: '2', benefit: '4', risk: '1', barriers: '1' } },
  steering: { outcome: 'approve', fields: { comment: 'Go ahead' } },
  plan: {
    outcome: 'submit',
    fields: { objectives: 'Fewer repeat incidents', actions: `Write the template | ${actionOwner} | 1m`, measures: 'Repeat incidents per quarter' },
  },
  'plan-approval': { outcome: 'approve', fields: {} },
  action: { outcome: 'complete', fields: { comment: 'Template written' } },
  adoption: { outcome: 'adopt', fields: {} },
  audit: { outcome: 'compliant', fields: {} },
  lessons: { outcome: 'submit', fields: { lessons: 'Root causes matter', measuredEffect: 'As planned' } },
  'lessons-confirm': { outcome: 'confirm', fields: {} },
};

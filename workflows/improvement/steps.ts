// Every human step of the lifecycle: what is asked, the outcomes a person may choose and the
// fields each outcome needs. One definition drives the workflow's validation, the API's and the
// decision pages. Pure and deterministic: imported by workflow code.

export type FieldType = 'text' | 'textarea' | 'score' | 'date' | 'duration' | 'boolean' | 'actions' | 'list';

export interface FieldSpec {
  name: string;
  label: string;
  type: FieldType;
  required: boolean;
  help?: string;
}

export interface OutcomeSpec {
  name: string;
  label: string;
  fields: FieldSpec[];
}

export interface StepSpec {
  title: string;
  /** What the assignee is asked, in the email and on the page. */
  ask: string;
  outcomes: OutcomeSpec[];
}

const reason = (label = 'Reason'): FieldSpec => ({ name: 'reason', label, type: 'textarea', required: true });
const comment = (required: boolean, label = 'Comment'): FieldSpec => ({ name: 'comment', label, type: 'textarea', required });
const score = (name: string, label: string): FieldSpec => ({ name, label, type: 'score', required: true, help: '1 (low) to 5 (high)' });

export const steps = {
  review: {
    title: 'Review the improvement proposal',
    ask: 'Review this process improvement proposal: accept it for prioritisation, reject it, or ask the proposer for changes.',
    outcomes: [
      { name: 'accept', label: 'Accept', fields: [comment(false)] },
      { name: 'reject', label: 'Reject', fields: [reason()] },
      { name: 'request-changes', label: 'Request changes', fields: [comment(true, 'Changes needed')] },
    ],
  },
  revise: {
    title: 'Revise your proposal',
    ask: 'The ORPG asked for changes to your proposal. Revise and resubmit it, or withdraw it.',
    outcomes: [
      {
        name: 'resubmit',
        label: 'Resubmit',
        fields: [
          { name: 'title', label: 'Title', type: 'text', required: false },
          { name: 'description', label: 'Problem', type: 'textarea', required: false },
          { name: 'proposedChange', label: 'Proposed change', type: 'textarea', required: false },
          comment(false, 'What changed'),
        ],
      },
      { name: 'withdraw', label: 'Withdraw', fields: [reason()] },
    ],
  },
  score: {
    title: 'Score the improvement for prioritisation',
    ask: 'Score the cost, benefit, risk and barriers of this improvement; its priority is computed from them.',
    outcomes: [
      {
        name: 'score',
        label: 'Submit scores',
        fields: [score('cost', 'Cost'), score('benefit', 'Benefit'), score('risk', 'Risk'), score('barriers', 'Barriers'), comment(false)],
      },
    ],
  },
  steering: {
    title: 'Approve the improvement for planning',
    ask: 'As the steering committee, approve this improvement for process action planning, reject it, or defer the decision to a date.',
    outcomes: [
      { name: 'approve', label: 'Approve for planning', fields: [comment(false)] },
      { name: 'reject', label: 'Reject', fields: [reason()] },
      { name: 'defer', label: 'Defer', fields: [{ name: 'until', label: 'Defer until', type: 'date', required: true }, comment(false)] },
    ],
  },
  plan: {
    title: 'Submit the process action plan',
    ask: 'As process owner, submit the process action plan: objectives, actions with owners and due dates, pilot strategy, measures of effectiveness and risks.',
    outcomes: [
      {
        name: 'submit',
        label: 'Submit plan',
        fields: [
          { name: 'objectives', label: 'Objectives', type: 'textarea', required: true },
          {
            name: 'actions',
            label: 'Actions',
            type: 'actions',
            required: true,
            help: 'One per line: title | owner email | due date (YYYY-MM-DD)',
          },
          { name: 'pilotStrategy', label: 'Pilot strategy', type: 'textarea', required: false },
          { name: 'measures', label: 'Measures of effectiveness', type: 'textarea', required: true },
          { name: 'risks', label: 'Risks', type: 'textarea', required: false },
        ],
      },
    ],
  },
  'plan-approval': {
    title: 'Approve the process action plan',
    ask: 'Approve this process action plan, or return it to the process owner with comments.',
    outcomes: [
      { name: 'approve', label: 'Approve plan', fields: [comment(false)] },
      { name: 'return', label: 'Return with comments', fields: [comment(true)] },
    ],
  },
  action: {
    title: 'Report completion of a planned action',
    ask: 'You own an action of this process action plan. Report it complete when it is done.',
    outcomes: [{ name: 'complete', label: 'Report complete', fields: [comment(false)] }],
  },
  'pilot-plan': {
    title: 'Submit the pilot plan',
    ask: 'This improvement is piloted before deployment. Submit the pilot plan: units, success criteria and duration.',
    outcomes: [
      {
        name: 'submit',
        label: 'Submit pilot plan',
        fields: [
          { name: 'units', label: 'Pilot units', type: 'list', required: true, help: 'Organisational unit names or ids, comma separated' },
          { name: 'successCriteria', label: 'Success criteria', type: 'textarea', required: true },
          { name: 'duration', label: 'Duration', type: 'duration', required: true, help: 'e.g. 20bd, 30d' },
        ],
      },
    ],
  },
  'pilot-approval': {
    title: 'Approve the pilot plan',
    ask: 'Approve this pilot plan, or return it to the process owner with comments.',
    outcomes: [
      { name: 'approve', label: 'Approve pilot', fields: [comment(false)] },
      { name: 'return', label: 'Return with comments', fields: [comment(true)] },
    ],
  },
  'pilot-results': {
    title: 'Record the pilot results',
    ask: 'The pilot has run its duration. Record its results against the success criteria.',
    outcomes: [
      {
        name: 'submit',
        label: 'Record results',
        fields: [
          { name: 'results', label: 'Results', type: 'textarea', required: true },
          { name: 'criteriaMet', label: 'Success criteria met', type: 'boolean', required: true },
        ],
      },
    ],
  },
  'pilot-decision': {
    title: 'Decide after the pilot',
    ask: 'Decide on this improvement after its pilot: deploy it, revise the process action plan, or abandon it.',
    outcomes: [
      { name: 'go', label: 'Go: deploy', fields: [comment(false)] },
      { name: 'revise', label: 'Revise the plan', fields: [comment(true)] },
      { name: 'abandon', label: 'Abandon', fields: [reason()] },
    ],
  },
  adoption: {
    title: 'Adopt the improved process in your unit',
    ask: 'The improved process is being deployed to your organisational unit. Confirm adoption, record how you tailored it, or request a waiver.',
    outcomes: [
      { name: 'adopt', label: 'Confirm adoption', fields: [comment(false)] },
      { name: 'tailor', label: 'Adopt with tailoring', fields: [{ name: 'tailoring', label: 'Tailoring', type: 'textarea', required: true }] },
      { name: 'waiver', label: 'Request a waiver', fields: [reason('Why the unit should be exempt')] },
    ],
  },
  waiver: {
    title: 'Grant or refuse a waiver',
    ask: 'An organisational unit requests a waiver from the improved process. Grant or refuse it.',
    outcomes: [
      { name: 'grant', label: 'Grant waiver', fields: [comment(false)] },
      { name: 'refuse', label: 'Refuse waiver', fields: [reason()] },
    ],
  },
  audit: {
    title: 'Record the compliance audit result',
    ask: 'Audit whether this organisational unit follows the improved process, and record the result.',
    outcomes: [
      { name: 'compliant', label: 'Compliant', fields: [comment(false)] },
      { name: 'non-compliant', label: 'Non-compliant', fields: [{ name: 'findings', label: 'Findings', type: 'textarea', required: true }] },
    ],
  },
  'corrective-action': {
    title: 'Close the corrective action',
    ask: 'An audit found your unit non-compliant. Correct it and record what was done.',
    outcomes: [{ name: 'close', label: 'Close corrective action', fields: [{ name: 'action', label: 'Action taken', type: 'textarea', required: true }] }],
  },
  lessons: {
    title: 'Record lessons learned',
    ask: 'Record the lessons learned from this improvement and its measured effect against the objectives.',
    outcomes: [
      {
        name: 'submit',
        label: 'Record lessons',
        fields: [
          { name: 'lessons', label: 'Lessons learned', type: 'textarea', required: true },
          { name: 'measuredEffect', label: 'Measured effect against the objectives', type: 'textarea', required: true },
        ],
      },
    ],
  },
  'lessons-confirm': {
    title: 'Confirm the lessons learned and close',
    ask: 'Confirm the recorded lessons learned to close this improvement, or return them to the process owner.',
    outcomes: [
      { name: 'confirm', label: 'Confirm and close', fields: [comment(false)] },
      { name: 'return', label: 'Return with comments', fields: [comment(true)] },
    ],
  },
} satisfies Record<string, StepSpec>;

export type StepName = keyof typeof steps;
export const stepNames = Object.keys(steps) as StepName[];

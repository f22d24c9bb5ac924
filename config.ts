import path from 'node:path';
import { z } from 'zod';
import type { CodeAttemptPolicy } from './api/code-attempts';
import { type StepName, stepNames } from './workflows/improvement/steps';

/** A setting that was missing or malformed; its message names the setting. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
const port = (fallback: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(fallback));

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A secret someone has to choose: refused when it is still a placeholder such as .env.example's. */
const chosenSecret = (minLength: number) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .min(minLength, `must be at least ${minLength} characters`)
      .refine(
        (value) => !/replace|change[-_ ]?me|placeholder|example/i.test(value),
        'is a placeholder (like the values in .env.example), which anyone can read: generate one with `openssl rand -hex 32`, or leave it unset to have one generated into DATA_DIR',
      )
      .optional(),
  );

const durationSetting = (fallback: string) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\d{1,5}(bd|d|h|m|s)$/, 'must be a duration such as 5bd (business days), 3d, 12h, 30m or 45s')
      .default(fallback),
  );

/** A duration in hours, minutes or seconds (no business days): lockouts, session lifetimes. */
const clockDuration = (fallback: string) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^\d{1,5}(h|m|s)$/, 'must be a duration such as 12h, 15m or 30s')
      .default(fallback),
  );

const settingsSchema = z.object({
  /** HTTP port of the API (0 picks a free port). */
  PORT: port(3000),
  /** Interface the API listens on. Loopback by default: set 0.0.0.0 (or an address) to serve the network. */
  HOST: z.preprocess(emptyAsUndefined, z.string().regex(/^[\w.:-]+$/, 'must be an IP address or host name such as 127.0.0.1 or 0.0.0.0').default('127.0.0.1')),
  /** The URL people reach the API at; emailed links start with it. Default: http://localhost:PORT */
  PUBLIC_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  /** Where embedded services keep their data and where generated secrets live. */
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('data')),
  /** PostgreSQL connection URL. Unset: the all-in-one start runs an embedded PostgreSQL server. */
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
      .optional(),
  ),
  /** Maximum connections in the database pool (an embedded PGlite uses one). */
  DATABASE_POOL_MAX: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(200).default(10)),
  /** The embedded database when DATABASE_URL is unset: a real PostgreSQL server, or PGlite. */
  EMBEDDED_DATABASE: z.preprocess(emptyAsUndefined, z.enum(['postgres', 'pglite']).default('postgres')),
  /** host:port of the Temporal frontend. Unset: the all-in-one start runs a local dev server. */
  TEMPORAL_ADDRESS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^[^\s:/]+:\d+$/, 'must be host:port')
      .optional(),
  ),
  /** Temporal namespace the workflows run in. */
  TEMPORAL_NAMESPACE: z.preprocess(emptyAsUndefined, z.string().default('default')),
  /** Task queue shared by the API (starting workflows) and the workers. */
  TEMPORAL_TASK_QUEUE: z.preprocess(emptyAsUndefined, z.string().default('opf-pipeline')),
  /** Path of the `temporal` CLI used for the embedded dev server. Else PATH, else the SDK downloads it. */
  TEMPORAL_CLI_PATH: optionalString,
  /** Port of the embedded Temporal Web UI. */
  TEMPORAL_UI_PORT: port(8233),
  /** SMTP server URL (smtp:// or smtps://, credentials in the URL). Unset: mail goes to the local inbox. */
  SMTP_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
      .optional(),
  ),
  /** Port the local inbox's SMTP receiver listens on (embedded mail only; 0 picks a free port). */
  INBOX_SMTP_PORT: port(2525),
  /** Sender of every email. */
  MAIL_FROM: z.preprocess(emptyAsUndefined, z.string().min(3).default('OPF Pipeline <opf-pipeline@localhost>')),
  /** Emails one worker sends at once from the outbox. */
  MAIL_CONCURRENCY: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(100).default(4)),
  /** How long a worker holds an email it is sending; a crashed worker's emails are sent by another after this. */
  MAIL_LEASE_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(5_000).max(600_000).default(30_000)),
  /** Signs emailed links. Unset: generated on first start and kept under DATA_DIR. */
  APP_SECRET: chosenSecret(32),
  /** Bearer token for admin calls. Unset: generated on first start, kept under DATA_DIR, printed once. */
  ADMIN_TOKEN: chosenSecret(16),
  /** The organisation's time zone: business days and due dates are counted in it. */
  BUSINESS_TIMEZONE: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default('UTC')
      .refine((zone) => isTimeZone(zone), 'must be an IANA time zone such as Europe/Berlin'),
  ),
  /** Holidays skipped by business-day durations: comma-separated YYYY-MM-DD dates. */
  BUSINESS_HOLIDAYS: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .default('')
      .refine((list) => list.split(',').every((day) => day.trim() === '' || /^\d{4}-\d{2}-\d{2}$/.test(day.trim())), 'must be comma-separated YYYY-MM-DD dates'),
  ),
  /** Default time a person has for a step (`<n>bd` business days, or `<n>d|h|m|s`). */
  STEP_DUE: durationSetting('5bd'),
  /** How long before the due time the assignee is reminded. */
  STEP_REMIND_BEFORE: durationSetting('1bd'),
  /** How long after the due time (and the manager's escalation) management is told. */
  STEP_ESCALATE_AFTER: durationSetting('2bd'),
  /** Wait between the end of deployment and the compliance audit. */
  AUDIT_SETTLING_PERIOD: durationSetting('20bd'),
  /** How long a decision waits for a worker to apply it before the person is told "received". */
  DECISION_WAIT_MS: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(100).max(60_000).default(5_000)),
  /** `prebuilt`: a worker uses .workflow-bundle/ (npm run build:workflows) when it matches workflows/, else bundles at start; `bundle`: always bundles at start. */
  WORKFLOW_BUNDLE: z.preprocess(emptyAsUndefined, z.enum(['prebuilt', 'bundle']).default('prebuilt')),
  /** `email-code`: a decider confirms by a one-time code sent to their email before a link decision counts. */
  DECISION_CONFIRMATION: z.preprocess(emptyAsUndefined, z.enum(['none', 'email-code']).default('none')),
  /** Steps a proposer may not decide on their own proposal (comma-separated step names; empty allows all). */
  SELF_APPROVAL_BLOCKED_STEPS: z
    .string()
    .default('review,score,steering,plan-approval,pilot-approval,pilot-decision,waiver,lessons-confirm')
    .refine(
      (list) => list.split(',').every((step) => step.trim() === '' || (stepNames as string[]).includes(step.trim())),
      `must be comma-separated step names (${stepNames.join(', ')})`,
    ),
  /**
   * Which proxies' X-Forwarded-For to believe for the client address (rate limits, audit): empty or
   * `false` believes none; else Express's `trust proxy` value: a hop count, or comma-separated
   * addresses, subnets or `loopback`, `linklocal`, `uniquelocal`.
   */
  TRUST_PROXY: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^(false|true|\d{1,2}|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/, 'must be false, a hop count, or comma-separated addresses, subnets or loopback/linklocal/uniquelocal')
      .default('false'),
  ),
  /** Requests per minute one client may make to decision pages, decisions and code confirmation. */
  DECISION_RATE_LIMIT: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(100_000).default(60)),
  /** Wrong sign-in or confirmation codes one person may enter (across all their links and codes) within 15 minutes before a lockout. */
  CODE_FAILURES_PER_PERSON: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(100).default(5)),
  /** The first lockout after too many wrong codes; each further one doubles, up to a day. */
  CODE_LOCKOUT: clockDuration('15m'),
  /** How long a page session lasts after sign-in (one started with an API token ends with the token at the latest). */
  SESSION_LIFETIME: clockDuration('12h'),
  /** A JSON file of organisational units and people to register on first start (an empty database). */
  SEED_FILE: optionalString,
  /** pino log level. */
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
});

export type Settings = z.infer<typeof settingsSchema>;

/** Every setting, validated; `publicUrl`, `dataDir` and the business calendar resolved. */
export interface Config extends Settings {
  publicUrl: string;
  dataDir: string;
  calendar: { timeZone: string; holidays: string[] };
  selfApprovalBlockedSteps: StepName[];
  /** TRUST_PROXY as Express's `trust proxy` takes it. */
  trustProxy: boolean | number | string;
  codeAttemptPolicy: CodeAttemptPolicy;
  sessionLifetimeMs: number;
}

function durationMs(text: string): number {
  const unitMs = { s: 1000, m: 60_000, h: 3600_000 }[text.slice(-1) as 's' | 'm' | 'h'];
  return Number(text.slice(0, -1)) * unitMs;
}

/** Which process is booting: only the all-in-one start may fall back to embedded services. */
export type ProcessRole = 'all-in-one' | 'api' | 'worker' | 'migrate';

const requiredOutsideAllInOne: Record<Exclude<ProcessRole, 'all-in-one'>, (keyof Settings)[]> = {
  api: ['DATABASE_URL', 'TEMPORAL_ADDRESS'],
  worker: ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL'],
  migrate: ['DATABASE_URL'],
};

function trustProxyOf(setting: string): boolean | number | string {
  if (setting === 'false' || setting === 'true') return setting === 'true';
  return /^\d+$/.test(setting) ? Number(setting) : setting;
}

/** Reads and validates every setting once; throws a ConfigError naming each bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, role: ProcessRole = 'all-in-one'): Config {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const settings = parsed.data;
  if (role === 'api' && settings.DECISION_CONFIRMATION === 'email-code' && !settings.SMTP_URL) {
    throw new ConfigError('Invalid configuration:\n  SMTP_URL: required for `npm run api` when DECISION_CONFIRMATION is email-code');
  }
  if (role !== 'all-in-one') {
    const missing = requiredOutsideAllInOne[role].filter((name) => settings[name] === undefined);
    if (missing.length > 0) {
      throw new ConfigError(
        `Invalid configuration:\n  ${missing
          .map((name) => `${name}: required for \`npm run ${role}\` (embedded services run only with \`npm start\`)`)
          .join('\n  ')}`,
      );
    }
  }
  return {
    ...settings,
    publicUrl: (settings.PUBLIC_URL ?? `http://localhost:${settings.PORT}`).replace(/\/$/, ''),
    dataDir: path.resolve(settings.DATA_DIR),
    trustProxy: trustProxyOf(settings.TRUST_PROXY),
    selfApprovalBlockedSteps: settings.SELF_APPROVAL_BLOCKED_STEPS.split(',')
      .map((step) => step.trim())
      .filter(Boolean) as StepName[],
    sessionLifetimeMs: durationMs(settings.SESSION_LIFETIME),
    codeAttemptPolicy: {
      failuresAllowed: settings.CODE_FAILURES_PER_PERSON,
      lockoutMs: durationMs(settings.CODE_LOCKOUT),
      windowMs: 15 * 60_000,
      maxLockoutMs: 24 * 3600_000,
    },
    calendar: {
      timeZone: settings.BUSINESS_TIMEZONE,
      holidays: settings.BUSINESS_HOLIDAYS.split(',').map((day) => day.trim()).filter(Boolean),
    },
  };
}

/** The name of every setting the service reads. */
export const settingNames = Object.keys(settingsSchema.shape) as (keyof Settings)[];

/** Settings a role requires when it runs without the embedded services. */
export function requiredSettings(role: Exclude<ProcessRole, 'all-in-one'>): (keyof Settings)[] {
  return requiredOutsideAllInOne[role];
}

import path from 'node:path';
import { z } from 'zod';

/** A setting that was missing or malformed; its message names the setting. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optionalString = z.preprocess(emptyAsUndefined, z.string().optional());
const port = (fallback: number) =>
  z.preprocess(emptyAsUndefined, z.coerce.number().int().min(0).max(65535).default(fallback));

const settingsSchema = z.object({
  /** HTTP port of the API (0 picks a free port). */
  PORT: port(3000),
  /** The URL people reach the API at; emailed links start with it. Default: http://localhost:PORT */
  PUBLIC_URL: z.preprocess(emptyAsUndefined, z.url({ protocol: /^https?$/ }).optional()),
  /** Where embedded services keep their data and where generated secrets live. */
  DATA_DIR: z.preprocess(emptyAsUndefined, z.string().default('data')),
  /** PostgreSQL connection URL. Unset: the all-in-one start runs embedded PostgreSQL (PGlite). */
  DATABASE_URL: z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// URL')
      .optional(),
  ),
  /** Maximum connections in the database pool (real PostgreSQL only; embedded uses one). */
  DATABASE_POOL_MAX: z.preprocess(emptyAsUndefined, z.coerce.number().int().min(1).max(200).default(10)),
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
  /** Signs emailed links. Unset: generated on first start and kept under DATA_DIR. */
  APP_SECRET: z.preprocess(emptyAsUndefined, z.string().min(32, 'must be at least 32 characters').optional()),
  /** Bearer token for admin calls. Unset: generated on first start, kept under DATA_DIR, printed once. */
  ADMIN_TOKEN: z.preprocess(emptyAsUndefined, z.string().min(16, 'must be at least 16 characters').optional()),
  /** pino log level. */
  LOG_LEVEL: z.preprocess(
    emptyAsUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
});

export type Settings = z.infer<typeof settingsSchema>;

/** Every setting, validated; `publicUrl` and `dataDir` resolved. */
export interface Config extends Settings {
  publicUrl: string;
  dataDir: string;
}

/** Which process is booting: only the all-in-one start may fall back to embedded services. */
export type ProcessRole = 'all-in-one' | 'api' | 'worker' | 'migrate';

const requiredOutsideAllInOne: Record<Exclude<ProcessRole, 'all-in-one'>, (keyof Settings)[]> = {
  api: ['DATABASE_URL', 'TEMPORAL_ADDRESS'],
  worker: ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL'],
  migrate: ['DATABASE_URL'],
};

/** Reads and validates every setting once; throws a ConfigError naming each bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, role: ProcessRole = 'all-in-one'): Config {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const settings = parsed.data;
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
  };
}

/** The name of every setting the service reads. */
export const settingNames = Object.keys(settingsSchema.shape) as (keyof Settings)[];

/** Settings a role requires when it runs without the embedded services. */
export function requiredSettings(role: Exclude<ProcessRole, 'all-in-one'>): (keyof Settings)[] {
  return requiredOutsideAllInOne[role];
}

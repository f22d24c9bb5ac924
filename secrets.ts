import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from './config';

/** The secrets a deployment sets through APP_SECRET and ADMIN_TOKEN. */
export interface AppSecrets {
  appSecret: string;
  adminToken: string;
}

export interface LoadedSecrets extends AppSecrets {
  /** True when this start generated the admin token (it is then shown once). */
  generatedAdminToken: boolean;
}

/**
 * Uses the configured secrets; any that are missing are read from DATA_DIR/secrets.json,
 * generated there on first start with owner-only permissions.
 */
export async function loadOrCreateSecrets(
  dataDir: string,
  configured: { APP_SECRET?: string; ADMIN_TOKEN?: string },
  mayGenerate: boolean,
): Promise<LoadedSecrets> {
  if (configured.APP_SECRET && configured.ADMIN_TOKEN) {
    return { appSecret: configured.APP_SECRET, adminToken: configured.ADMIN_TOKEN, generatedAdminToken: false };
  }
  const file = path.join(dataDir, 'secrets.json');
  let stored: AppSecrets | undefined;
  try {
    stored = JSON.parse(await readFile(file, 'utf8')) as AppSecrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const generatedAdminToken = !stored && !configured.ADMIN_TOKEN;
  if (!stored && !mayGenerate) {
    const missing = [configured.APP_SECRET ? '' : 'APP_SECRET', configured.ADMIN_TOKEN ? '' : 'ADMIN_TOKEN'];
    throw new ConfigError(
      `Invalid configuration:\n  ${missing
        .filter(Boolean)
        .map((name) => `${name}: required (or a ${file} written by a first \`npm start\`)`)
        .join('\n  ')}`,
    );
  }
  if (!stored) {
    stored = { appSecret: randomBytes(32).toString('base64url'), adminToken: randomBytes(24).toString('base64url') };
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, JSON.stringify(stored, null, 2), { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
  }
  return {
    appSecret: configured.APP_SECRET ?? stored.appSecret,
    adminToken: configured.ADMIN_TOKEN ?? stored.adminToken,
    generatedAdminToken,
  };
}

import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * Every secret the service hands out and checks: decision links, sign-in links, sessions, API
 * tokens, one-time codes and anti-forgery tokens. Only hashes are stored, so the database never
 * holds a usable secret; comparisons take the same time whatever the input.
 */

/** A fresh random secret (256 bits), URL-safe, with an optional recognisable prefix. */
export function newSecret(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** A six-digit one-time code. */
export function newCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** How a random secret is stored: its SHA-256, in hex. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * A value bound to the app secret and to what it is for (a code, a form): HMAC-SHA256. Short values
 * such as six-digit codes are stored this way, since an unkeyed hash of one is found in seconds.
 */
export function keyedHash(appSecret: string, message: string, encoding: 'hex' | 'base64url' = 'hex'): string {
  return createHmac('sha256', appSecret).update(message).digest(encoding);
}

/** Compares a given secret or hash with the expected one in constant time. */
export function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Compares two secrets of any lengths in constant time (e.g. the configured admin token). */
export function sameSecretOfAnyLength(expected: string, given: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

/** A stable UUID for something that must be recorded once, however often its writer is retried. */
export function stableUuid(key: string): string {
  const hex = hashSecret(key);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
